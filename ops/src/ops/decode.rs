//! `decodeAudioData`: decoding runs on the blocking pool, never the JS thread.
//! The bytes are copied out of the caller's buffer on the JS thread: no JS
//! value (an ArrayBuffer's backing store included) may be dropped on
//! another thread.

use deno_core::op2;
use webaudio_engine::decode::decode_audio_data;

use crate::error::WebAudioError;

/// Bytes before the planar samples in the decoded result: channel count and
/// frame count as little-endian u32s, then padding to keep f32 alignment.
const HEADER_BYTES: usize = 16;

/// Decodes `data` and resamples it to `sample_rate`. The result is one
/// buffer: a header (channels, frames) and then each channel's f32 samples,
/// so JS can view the channels without another copy.
#[op2]
#[buffer]
pub async fn op_base_audio_context_decode_audio_data(
    #[buffer(copy)] data: Vec<u8>,
    sample_rate: f32,
) -> Result<Vec<u8>, WebAudioError> {
    let decoded = tokio::task::spawn_blocking(move || decode_audio_data(&data, sample_rate))
        .await
        .map_err(|e| WebAudioError::Encoding(format!("the decoder failed: {e}")))?
        .map_err(|e| WebAudioError::Encoding(format!("Unable to decode audio data: {e}")))?;
    let channels = decoded.number_of_channels();
    let frames = decoded.length();
    let mut out = Vec::new();
    out.try_reserve_exact(HEADER_BYTES + channels * frames * 4)
        .map_err(|_| WebAudioError::Encoding("cannot allocate the decoded audio".into()))?;
    out.extend_from_slice(&(channels as u32).to_le_bytes());
    out.extend_from_slice(&(frames as u32).to_le_bytes());
    out.resize(HEADER_BYTES, 0);
    for channel in decoded.channels() {
        for sample in channel.iter() {
            out.extend_from_slice(&sample.to_le_bytes());
        }
    }
    Ok(out)
}
