//! Audio file decoding for `decodeAudioData` (runs on a decoding thread,
//! never on the render thread).
//!
//! Containers and codecs come from `symphonia`; resampling to the context rate
//! from `rubato`. Everything here is a pure function of its arguments: no
//! global state, so any number of decodes may run in parallel on worker
//! threads.
//!
//! Length rule: the spec only says the decoded PCM is resampled to the
//! context's rate; to keep the duration (and never cut the tail) the result has
//! `ceil(frames * target_rate / source_rate)` frames. Equal rates bypass the
//! resampler, so same-rate PCM is bit exact.
//!
//! Failure policy (every failure is the spec's `EncodingError`): the spec
//! sniffs the type with mimesniff's audio/video patterns; here symphonia's
//! probe decides instead, which also admits FLAC, ADTS AAC and CAF (as
//! browsers do). Isolated packets that fail to decode are skipped and
//! counted in [`DecodeReport`] (the spec asks implementations to warn, not
//! fail, when decoding can otherwise proceed); a stream where most packets
//! fail, that ends inside a packet or header, or that decodes to clearly
//! fewer frames than its header declares is refused.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters,
    SincInterpolationType, WindowFunction,
};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::common::Limit;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::{Hint, Probe};
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use crate::MAX_CHANNELS;
use crate::buffer::AudioBufferData;
use crate::fallible::{try_vec_with_capacity, try_zeroed_f32};

/// Default cap on the decoded result, in samples summed over all channels
/// (2^29 f32 = 2 GiB): about 93 minutes of stereo or 23 of 8 channels at
/// 48 kHz. A header can
/// claim anything; this keeps a hostile file from exhausting memory.
pub const DEFAULT_MAX_OUTPUT_SAMPLES: usize = 1 << 29;

/// Largest packet any supported codec legitimately produces is far below
/// this (FLAC: 65535 frames). Decoders preallocate a packet's worth of
/// samples from the header's claim, so larger claims are refused before a
/// decoder exists.
const MAX_FRAMES_PER_PACKET: u64 = 1 << 20;

/// Sample rates further apart than this factor are refused: no real file
/// needs it and the resampler's cost grows with it.
const MAX_RATE_RATIO: f64 = 1024.0;

/// Packets (of any track) read without a single decoded frame before giving
/// up: guards against containers that produce endless empty or foreign
/// packets.
const MAX_FRUITLESS_PACKETS: usize = 1 << 16;

/// Frames a stream may fall short of its declared length (on top of 1%)
/// before it counts as incomplete.
const INCOMPLETE_SLACK_FRAMES: f64 = 2048.0;

/// Largest sample magnitude fed to the resampler (far beyond any real
/// signal, far below where f32 FFT sums overflow).
const MAX_RESAMPLE_MAGNITUDE: f32 = 1.0e20;

/// Input frames per resampler call.
const RESAMPLE_CHUNK: usize = 4096;

/// Above this reduced rate (`rate / gcd(in, out)`) the FFT resampler's blocks
/// get unwieldy and the sinc resampler is used instead.
const MAX_FFT_REDUCED_RATE: usize = 8192;

/// Why a decode failed. Every variant is reported to script as an
/// `EncodingError` `DOMException` (see [`DecodeError::dom_exception_name`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("no audio data (empty input)")]
    Empty,
    #[error("the context sample rate {0} is not a positive finite number")]
    InvalidTargetSampleRate(f32),
    #[error("unrecognised or unsupported container format")]
    UnknownFormat,
    #[error("the container has no audio track")]
    NoAudioTrack,
    #[error("unsupported audio codec: {0}")]
    UnsupportedCodec(String),
    #[error("unsupported feature: {0}")]
    Unsupported(&'static str),
    #[error("{0} channels (supported: 1 to {MAX_CHANNELS})")]
    UnsupportedChannelCount(usize),
    #[error("unsupported sample rate {0} Hz")]
    UnsupportedSampleRate(u32),
    #[error("sample rate or channel count changed in the middle of the stream")]
    FormatChanged,
    #[error("malformed stream: {0}")]
    Malformed(String),
    #[error("the stream ends prematurely")]
    Truncated,
    #[error("only {decoded} of the {declared} frames the header declares could be decoded")]
    Incomplete { decoded: u64, declared: u64 },
    #[error("corrupt stream: {corrupt} of {total} packets could not be decoded")]
    CorruptStream { corrupt: usize, total: usize },
    #[error("the stream contains no audio frames")]
    NoAudio,
    #[error("the decoded audio would exceed the size limit")]
    TooLarge,
    #[error("resampling failed: {0}")]
    Resample(String),
    #[error("internal decoder failure")]
    Internal,
}

impl DecodeError {
    /// The `DOMException` name the promise is rejected with: the spec's
    /// decoding algorithm has a single failure outcome.
    pub fn dom_exception_name(&self) -> &'static str {
        "EncodingError"
    }
}

/// Tunables for [`decode_audio_data_with`]; `Default` is what
/// [`decode_audio_data`] uses.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// Refuse results (at the source rate or after resampling) holding more
    /// samples than this, summed over channels.
    pub max_output_samples: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            max_output_samples: DEFAULT_MAX_OUTPUT_SAMPLES,
        }
    }
}

/// What a successful decode saw besides the audio, for the runtime to warn
/// authors about (the spec encourages warning on corrupt but decodable data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeReport {
    /// Packets of the decoded track that failed to decode and were skipped.
    pub corrupt_packets: usize,
    /// Packets of the decoded track in total.
    pub total_packets: usize,
    /// Sample rate of the encoded audio.
    pub source_sample_rate: u32,
}

/// Decodes a whole file from memory and resamples it to
/// `target_sample_rate` (the context's rate) with a band-limited resampler.
pub fn decode_audio_data(
    bytes: &[u8],
    target_sample_rate: f32,
) -> Result<AudioBufferData, DecodeError> {
    decode_audio_data_with(bytes, target_sample_rate, &DecodeOptions::default()).map(|(b, _)| b)
}

/// [`decode_audio_data`] with explicit limits, also returning a
/// [`DecodeReport`].
pub fn decode_audio_data_with(
    bytes: &[u8],
    target_sample_rate: f32,
    options: &DecodeOptions,
) -> Result<(AudioBufferData, DecodeReport), DecodeError> {
    if !(target_sample_rate.is_finite() && target_sample_rate > 0.0) {
        return Err(DecodeError::InvalidTargetSampleRate(target_sample_rate));
    }
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    // Last line of defence: a panic inside a third-party demuxer or decoder
    // must reject the promise, not take down the decoding thread.
    catch_unwind(AssertUnwindSafe(|| {
        let (pcm, report) = decode_to_pcm(bytes, options)?;
        let buffer = resample(pcm, report.source_sample_rate, target_sample_rate, options)?;
        Ok((buffer, report))
    }))
    .unwrap_or(Err(DecodeError::Internal))
}

fn map_symphonia_error(err: SymphoniaError) -> DecodeError {
    match err {
        SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Truncated
        }
        SymphoniaError::IoError(e) => DecodeError::Malformed(e.to_string()),
        SymphoniaError::DecodeError(msg) => DecodeError::Malformed(msg.to_string()),
        SymphoniaError::Unsupported(what) => DecodeError::Unsupported(what),
        SymphoniaError::LimitError(what) => DecodeError::Malformed(what.to_string()),
        SymphoniaError::SeekError(_) => DecodeError::Malformed("seek error".to_string()),
        SymphoniaError::ResetRequired => DecodeError::FormatChanged,
        other => DecodeError::Malformed(other.to_string()),
    }
}

/// Decoded planar PCM at the source rate.
struct Pcm {
    channels: Vec<Vec<f32>>,
}

/// The input bytes as a seekable source whose length is withheld.
///
/// symphonia's MP3 and ADTS readers, finding no frame count in the stream,
/// *estimate* one from the average bitrate of the first frames times the
/// byte length; the MP3 reader then cuts the audio off at that estimate.
/// For VBR files without a Xing/VBRI header that silently drops audio (or
/// pads it out). Without a length to extrapolate from, they decode the
/// whole stream.
struct UnsizedCursor<'a>(Cursor<&'a [u8]>);

impl std::io::Read for UnsizedCursor<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Seek for UnsizedCursor<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.0.seek(pos)
    }
}

impl symphonia::core::io::MediaSource for UnsizedCursor<'_> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        None
    }
}

/// Formats that guess their length from the byte length (see
/// [`UnsizedCursor`]).
fn estimates_length(format: &dyn FormatReader) -> bool {
    matches!(
        format.format_info().short_name,
        "mp1" | "mp2" | "mp3" | "aac"
    )
}

fn open_format(bytes: &[u8]) -> Result<Box<dyn FormatReader + '_>, DecodeError> {
    let format = open_format_from(bytes, false)?;
    if estimates_length(format.as_ref()) {
        drop(format);
        return open_format_from(bytes, true);
    }
    Ok(format)
}

fn open_format_from(
    bytes: &[u8],
    hide_length: bool,
) -> Result<Box<dyn FormatReader + '_>, DecodeError> {
    let mut probe = Probe::default();
    symphonia::default::register_enabled_formats(&mut probe);
    let cursor = Cursor::new(bytes);
    let source: Box<dyn symphonia::core::io::MediaSource + '_> = if hide_length {
        Box::new(UnsizedCursor(cursor))
    } else {
        Box::new(cursor)
    };
    let source = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
    // Tags and cover art are of no use to an AudioBuffer; do not let a
    // header make us allocate for them.
    let meta = MetadataOptions::default()
        .limit_tag_bytes(Limit::Maximum(64 * 1024))
        .limit_visual_bytes(Limit::Maximum(0));
    probe
        .probe(&Hint::new(), source, FormatOptions::default(), meta)
        .map_err(|e| match e {
            // A recognised container with features the reader lacks.
            SymphoniaError::Unsupported(what) if !what.contains("no suitable") => {
                DecodeError::Unsupported(what)
            }
            // No format found, or the data ran out while looking for one.
            SymphoniaError::Unsupported(_) | SymphoniaError::IoError(_) => {
                DecodeError::UnknownFormat
            }
            other => map_symphonia_error(other),
        })
}

fn decode_to_pcm(
    bytes: &[u8],
    options: &DecodeOptions,
) -> Result<(Pcm, DecodeReport), DecodeError> {
    if let Some(result) = wide_wav::decode(bytes, options) {
        return result;
    }
    let mut format = open_format(bytes)?;

    // The spec: "If the media byte-stream contains multiple audio tracks, only
    // decode the first track".
    let track = format
        .first_track(TrackType::Audio)
        .ok_or(DecodeError::NoAudioTrack)?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(DecodeError::NoAudioTrack)?
        .clone();
    let num_frames_hint = track.num_frames;

    if let Some(channels) = &params.channels {
        check_channel_count(channels.count())?;
    }
    if let Some(rate) = params.sample_rate {
        check_source_rate(rate)?;
    }
    if params
        .max_frames_per_packet
        .is_some_and(|n| n > MAX_FRAMES_PER_PACKET)
        || params
            .frames_per_block
            .is_some_and(|n| n > MAX_FRAMES_PER_PACKET)
    {
        return Err(DecodeError::Malformed(
            "packet size claimed by the header is too large".to_string(),
        ));
    }

    let mut codecs = CodecRegistry::new();
    symphonia::default::register_enabled_codecs(&mut codecs);
    if codecs.get_audio_decoder(params.codec).is_none() {
        return Err(DecodeError::UnsupportedCodec(params.codec.to_string()));
    }
    let mut decoder: Box<dyn AudioDecoder> = codecs
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(map_symphonia_error)?;

    let mut channels: Vec<Vec<f32>> = Vec::new();
    let mut rate: Option<u32> = None;
    let mut frames: usize = 0;
    let mut report = DecodeReport::default();
    let mut fruitless = 0usize;

    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(SymphoniaError::ResetRequired) => return Err(DecodeError::FormatChanged),
            Err(e) => return Err(map_symphonia_error(e)),
        };
        if packet.track_id != track_id {
            fruitless += 1;
            if fruitless > MAX_FRUITLESS_PACKETS {
                return Err(DecodeError::Malformed(
                    "too many packets without audio".to_string(),
                ));
            }
            continue;
        }
        report.total_packets += 1;
        let audio = match decoder.decode(&packet) {
            Ok(audio) => audio,
            // Per packet failures: the spec encourages decoding what can be
            // decoded (and warning); the corrupt share is judged at the end.
            Err(SymphoniaError::DecodeError(_)) | Err(SymphoniaError::IoError(_)) => {
                report.corrupt_packets += 1;
                fruitless += 1;
                if fruitless > MAX_FRUITLESS_PACKETS {
                    return Err(DecodeError::CorruptStream {
                        corrupt: report.corrupt_packets,
                        total: report.total_packets,
                    });
                }
                continue;
            }
            Err(e) => return Err(map_symphonia_error(e)),
        };
        let n = audio.frames();
        if n == 0 {
            fruitless += 1;
            if fruitless > MAX_FRUITLESS_PACKETS {
                return Err(DecodeError::NoAudio);
            }
            continue;
        }
        fruitless = 0;

        let spec = audio.spec();
        let count = spec.channels().count();
        match rate {
            None => {
                check_channel_count(count)?;
                check_source_rate(spec.rate())?;
                rate = Some(spec.rate());
                let reserve = initial_capacity(num_frames_hint, count, bytes.len(), options);
                channels = (0..count)
                    .map(|_| try_vec_with_capacity(reserve).map_err(|_| DecodeError::TooLarge))
                    .collect::<Result<_, _>>()?;
            }
            Some(r) if r != spec.rate() || count != channels.len() => {
                return Err(DecodeError::FormatChanged);
            }
            Some(_) => {}
        }

        let total = frames
            .checked_add(n)
            .and_then(|f| f.checked_mul(channels.len()))
            .ok_or(DecodeError::TooLarge)?;
        if total > options.max_output_samples {
            return Err(DecodeError::TooLarge);
        }
        for ch in channels.iter_mut() {
            ch.try_reserve(n).map_err(|_| DecodeError::TooLarge)?;
            ch.resize(frames + n, 0.0);
        }
        let mut tails: Vec<&mut [f32]> = channels.iter_mut().map(|c| &mut c[frames..]).collect();
        audio.copy_to_slice_planar::<f32, _>(&mut tails);
        frames += n;
    }

    let Some(rate) = rate else {
        return Err(if report.corrupt_packets > 0 {
            DecodeError::CorruptStream {
                corrupt: report.corrupt_packets,
                total: report.total_packets,
            }
        } else {
            DecodeError::NoAudio
        });
    };
    // Isolated bad packets are tolerated; a stream that is mostly corrupt is
    // not "decodable" in any useful sense.
    if report.corrupt_packets * 2 > report.total_packets {
        return Err(DecodeError::CorruptStream {
            corrupt: report.corrupt_packets,
            total: report.total_packets,
        });
    }
    // A demuxer that loses sync (truncation, corrupt frames it skips while
    // resynchronising) just ends early without an error; the header's
    // frame count exposes that. Allow a 1% + one packet margin so that
    // containers whose count is slightly off, or a single lost frame in a long
    // file, still decode.
    // Uncompressed PCM has no excuse: its length is exact.
    let exact_length = decoder.codec_info().short_name.starts_with("pcm");
    if let Some(declared) = num_frames_hint {
        let decoded = frames as u64;
        let short = if exact_length {
            decoded < declared
        } else {
            (decoded as f64) < declared as f64 * 0.99 - INCOMPLETE_SLACK_FRAMES
        };
        if short {
            return Err(DecodeError::Incomplete { decoded, declared });
        }
    }
    report.source_sample_rate = rate;
    Ok((Pcm { channels }, report))
}

/// WAV files with more channels than symphonia's WAV reader can map to
/// speaker positions (it stops at 18; the Web Audio API allows 32). Only
/// such files come here; everything else goes through symphonia.
mod wide_wav {
    use super::{
        DecodeError, DecodeOptions, DecodeReport, MAX_CHANNELS, Pcm, check_source_rate,
        try_vec_with_capacity,
    };

    /// Channels symphonia's WAV reader handles itself.
    const SYMPHONIA_MAX_WAV_CHANNELS: u16 = 18;

    const TAG_PCM: u16 = 1;
    const TAG_FLOAT: u16 = 3;
    const TAG_EXTENSIBLE: u16 = 0xFFFE;

    fn u16_at(b: &[u8], at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
    }

    fn u32_at(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
    }

    struct Format {
        tag: u16,
        channels: u16,
        rate: u32,
        block_align: u16,
        bits: u16,
    }

    fn parse_fmt(body: &[u8]) -> Option<Format> {
        let mut f = Format {
            tag: u16_at(body, 0)?,
            channels: u16_at(body, 2)?,
            rate: u32_at(body, 4)?,
            block_align: u16_at(body, 12)?,
            bits: u16_at(body, 14)?,
        };
        if f.tag == TAG_EXTENSIBLE {
            // The sub-format GUID starts with the real format tag.
            f.tag = u16_at(body, 24)?;
        }
        Some(f)
    }

    /// `None`: not a wide WAV, let symphonia decide.
    pub(super) fn decode(
        bytes: &[u8],
        options: &DecodeOptions,
    ) -> Option<Result<(Pcm, DecodeReport), DecodeError>> {
        if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
            return None;
        }
        let mut format = None;
        let mut at = 12usize;
        // Each chunk advances `at` by at least 8 bytes, so this terminates.
        while let (Some(id), Some(size)) = (bytes.get(at..at + 4), u32_at(bytes, at + 4)) {
            let body_start = at + 8;
            let size = size as usize;
            match id {
                b"fmt " => {
                    let body = bytes.get(body_start..body_start.checked_add(size)?)?;
                    let f = parse_fmt(body)?;
                    if f.channels <= SYMPHONIA_MAX_WAV_CHANNELS {
                        return None;
                    }
                    format = Some(f);
                }
                b"data" => {
                    let f = format?;
                    let available = bytes.len() - body_start;
                    return Some(if size > available {
                        Err(DecodeError::Truncated)
                    } else {
                        convert(&f, &bytes[body_start..body_start + size], options)
                    });
                }
                _ => {}
            }
            at = body_start.checked_add(size)?.checked_add(size & 1)?;
        }
        None
    }

    fn convert(
        f: &Format,
        data: &[u8],
        options: &DecodeOptions,
    ) -> Result<(Pcm, DecodeReport), DecodeError> {
        let channels = usize::from(f.channels);
        if channels > MAX_CHANNELS {
            return Err(DecodeError::UnsupportedChannelCount(channels));
        }
        check_source_rate(f.rate)?;
        let width = match (f.tag, f.bits) {
            (TAG_PCM, 8 | 16 | 24 | 32) | (TAG_FLOAT, 32 | 64) => usize::from(f.bits / 8),
            _ => return Err(DecodeError::Unsupported("WAV sample format")),
        };
        if usize::from(f.block_align) != width * channels {
            return Err(DecodeError::Malformed("WAV block align".to_string()));
        }
        let block = width * channels;
        if !data.len().is_multiple_of(block) {
            let frames = (data.len() / block) as u64;
            return Err(DecodeError::Incomplete {
                decoded: frames,
                declared: frames + 1,
            });
        }
        let frames = data.len() / block;
        if frames == 0 {
            return Err(DecodeError::NoAudio);
        }
        if frames * channels > options.max_output_samples {
            return Err(DecodeError::TooLarge);
        }
        let mut out: Vec<Vec<f32>> = (0..channels)
            .map(|_| try_vec_with_capacity(frames).map_err(|_| DecodeError::TooLarge))
            .collect::<Result<_, _>>()?;
        for frame in data.chunks_exact(block) {
            for (ch, s) in out.iter_mut().zip(frame.chunks_exact(width)) {
                // Same conversions as symphonia's, so a file decodes to the
                // same values whichever path it takes.
                let v = match (f.tag, width) {
                    (TAG_PCM, 1) => f32::from(s[0]) / 128.0 - 1.0,
                    (TAG_PCM, 2) => f32::from(i16::from_le_bytes([s[0], s[1]])) / 32_768.0,
                    (TAG_PCM, 3) => {
                        (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as f32 / 8_388_608.0
                    }
                    (TAG_PCM, _) => {
                        (f64::from(i32::from_le_bytes([s[0], s[1], s[2], s[3]])) / 2_147_483_648.0)
                            as f32
                    }
                    (_, 4) => f32::from_le_bytes([s[0], s[1], s[2], s[3]]),
                    _ => {
                        f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]) as f32
                    }
                };
                ch.push(v);
            }
        }
        let report = DecodeReport {
            corrupt_packets: 0,
            total_packets: 1,
            source_sample_rate: f.rate,
        };
        Ok((Pcm { channels: out }, report))
    }
}

fn check_channel_count(count: usize) -> Result<(), DecodeError> {
    if (1..=MAX_CHANNELS).contains(&count) {
        Ok(())
    } else {
        Err(DecodeError::UnsupportedChannelCount(count))
    }
}

fn check_source_rate(rate: u32) -> Result<(), DecodeError> {
    // A rate of a few Hz is a corrupt header, not audio; keep the resampling
    // ratio bounded for any context rate the spec allows (3 kHz to 768 kHz).
    if (1_000..=1_536_000).contains(&rate) {
        Ok(())
    } else {
        Err(DecodeError::UnsupportedSampleRate(rate))
    }
}

/// Trust the header's frame count only as far as the size limit and the
/// input size allow: a few bytes claiming hours must not reserve gigabytes
/// up front (the vectors still grow if the claim turns out true).
fn initial_capacity(
    num_frames: Option<u64>,
    channels: usize,
    input_len: usize,
    options: &DecodeOptions,
) -> usize {
    // Generous for PCM (at most 1 frame per byte) and typical codecs.
    const FRAMES_PER_INPUT_BYTE: usize = 16;
    let limit = (options.max_output_samples / channels.max(1))
        .min(input_len.saturating_mul(FRAMES_PER_INPUT_BYTE));
    num_frames
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX).min(limit))
        .unwrap_or(0)
}

/// `ceil(frames * to / from)`, the decoded length at the context rate.
pub fn resampled_length(frames: usize, from_rate: f64, to_rate: f64) -> usize {
    let exact = frames as f64 * to_rate / from_rate;
    // Guard against 0.1 + 0.2 style error turning an exact integer into the
    // next one up.
    let rounded = exact.round();
    if (exact - rounded).abs() < 1e-9 * exact.max(1.0) {
        rounded as usize
    } else {
        exact.ceil() as usize
    }
}

fn resample(
    pcm: Pcm,
    source_rate: u32,
    target_rate: f32,
    options: &DecodeOptions,
) -> Result<AudioBufferData, DecodeError> {
    let from = f64::from(source_rate);
    let to = f64::from(target_rate);
    let channel_count = pcm.channels.len();
    let frames = pcm.channels.first().map_or(0, Vec::len);

    if from == to {
        let channels = pcm
            .channels
            .into_iter()
            .map(Vec::into_boxed_slice)
            .collect();
        return Ok(AudioBufferData::new(target_rate, channels));
    }

    let ratio = to / from;
    if !(1.0 / MAX_RATE_RATIO..=MAX_RATE_RATIO).contains(&ratio) {
        return Err(DecodeError::UnsupportedSampleRate(source_rate));
    }
    let out_len = resampled_length(frames, from, to);
    if out_len
        .checked_mul(channel_count)
        .is_none_or(|n| n > options.max_output_samples)
    {
        return Err(DecodeError::TooLarge);
    }

    // One channel at a time, freeing each source channel once it is done:
    // peak memory is the source plus the result minus one channel, instead
    // of both in full.
    let mut resampler = make_resampler(source_rate, target_rate, 1)?;
    let needed = resampler.process_all_needed_output_len(frames);
    let mut source = pcm.channels;
    let mut channels = Vec::with_capacity(channel_count);
    for src in source.iter_mut() {
        // The FFT resampler fails (panics) on NaN and infinities, and huge
        // values overflow its sums: such samples cannot be band-limited, so
        // they become 0 or are clamped. Same-rate decodes keep them as is.
        for v in src.iter_mut() {
            *v = if v.is_finite() {
                v.clamp(-MAX_RESAMPLE_MAGNITUDE, MAX_RESAMPLE_MAGNITUDE)
            } else {
                0.0
            };
        }
        let input = std::slice::from_ref(&*src);
        let mut out = vec![try_zeroed_f32(needed).map_err(|_| DecodeError::TooLarge)?];
        let produced = {
            let input = SequentialSliceOfVecs::new(input, 1, frames)
                .map_err(|e| DecodeError::Resample(e.to_string()))?;
            let mut output = SequentialSliceOfVecs::new_mut(&mut out, 1, needed)
                .map_err(|e| DecodeError::Resample(e.to_string()))?;
            resampler.reset();
            resampler
                .process_all_into_buffer(&input, &mut output, frames, None)
                .map_err(|e| DecodeError::Resample(e.to_string()))?
                .1
        };
        *src = Vec::new();
        let mut c = out.pop().unwrap_or_default();
        // rubato rounds the length with its own ratio; ours is the contract.
        c.truncate(produced.min(needed));
        c.resize(out_len, 0.0);
        channels.push(c.into_boxed_slice());
    }
    Ok(AudioBufferData::new(target_rate, channels))
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn make_resampler(
    source_rate: u32,
    target_rate: f32,
    channels: usize,
) -> Result<Box<dyn Resampler<f32>>, DecodeError> {
    let err = |e: rubato::ResamplerConstructionError| DecodeError::Resample(e.to_string());
    let from = source_rate as usize;
    let integral_target = target_rate.fract() == 0.0;
    if integral_target {
        let to = target_rate as usize;
        let g = gcd(from, to);
        if from / g <= MAX_FFT_REDUCED_RATE && to / g <= MAX_FFT_REDUCED_RATE {
            // Synchronous FFT resampling: exact rational ratio, steep
            // anti-aliasing filter, and fast. One sub-chunk per chunk gives
            // the longest filter (the delay is trimmed by rubato).
            let fft = Fft::<f32>::new_custom(
                from,
                to,
                RESAMPLE_CHUNK,
                1,
                channels,
                WindowFunction::BlackmanHarris2,
                FixedSync::Input,
            )
            .map_err(err)?;
            return Ok(Box::new(fft));
        }
    }
    // Non-integral context rates (OfflineAudioContext allows any float) and
    // awkward ratios: windowed-sinc interpolation.
    let params = SincInterpolationParameters {
        sinc_len: 256,
        f_cutoff: None,
        oversampling_factor: 256,
        interpolation: SincInterpolationType::Cubic,
        window: WindowFunction::BlackmanHarris2,
    };
    let sinc = Async::<f32>::new_sinc(
        f64::from(target_rate) / f64::from(source_rate),
        1.0,
        &params,
        RESAMPLE_CHUNK,
        channels,
        FixedAsync::Input,
    )
    .map_err(err)?;
    Ok(Box::new(sinc))
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- WAV writer (RIFF/WAVE, written here so every byte is known) ----

    #[derive(Clone, Copy, Debug)]
    enum Fmt {
        U8,
        S16,
        S24,
        S32,
        F32,
        F64,
    }

    impl Fmt {
        fn bits(self) -> u16 {
            match self {
                Fmt::U8 => 8,
                Fmt::S16 => 16,
                Fmt::S24 => 24,
                Fmt::S32 | Fmt::F32 => 32,
                Fmt::F64 => 64,
            }
        }
        fn is_float(self) -> bool {
            matches!(self, Fmt::F32 | Fmt::F64)
        }
    }

    /// One sample as written: integer code (sign-extended) or float.
    #[derive(Clone, Copy, Debug)]
    enum Sample {
        Int(i64),
        Float(f64),
    }

    /// Value the spec's linear PCM must hold for a sample (f32 rounding of the
    /// exact value; for integers `code / 2^(bits-1)`, unsigned 8-bit centred).
    fn expected(fmt: Fmt, s: Sample) -> f32 {
        match (fmt, s) {
            (Fmt::U8, Sample::Int(c)) => ((c - 128) as f64 / 128.0) as f32,
            (_, Sample::Int(c)) => (c as f64 / f64::from(1u32 << (fmt.bits() - 1))) as f32,
            (_, Sample::Float(v)) => v as f32,
        }
    }

    fn encode(fmt: Fmt, s: Sample, out: &mut Vec<u8>) {
        match (fmt, s) {
            (Fmt::U8, Sample::Int(c)) => out.push(c as u8),
            (Fmt::S16, Sample::Int(c)) => out.extend_from_slice(&(c as i16).to_le_bytes()),
            (Fmt::S24, Sample::Int(c)) => out.extend_from_slice(&(c as i32).to_le_bytes()[..3]),
            (Fmt::S32, Sample::Int(c)) => out.extend_from_slice(&(c as i32).to_le_bytes()),
            (Fmt::F32, Sample::Float(v)) => out.extend_from_slice(&(v as f32).to_le_bytes()),
            (Fmt::F64, Sample::Float(v)) => out.extend_from_slice(&v.to_le_bytes()),
            _ => unreachable!("sample kind does not match format"),
        }
    }

    /// A WAV file. More than two channels (or > 16-bit) use
    /// WAVE_FORMAT_EXTENSIBLE as the format requires.
    fn wav(fmt: Fmt, rate: u32, channels: &[Vec<Sample>]) -> Vec<u8> {
        let nch = channels.len() as u16;
        let frames = channels.first().map_or(0, Vec::len);
        let block_align = nch * fmt.bits() / 8;
        let mut data = Vec::new();
        for i in 0..frames {
            for ch in channels {
                encode(fmt, ch[i], &mut data);
            }
        }
        let extensible = nch > 2 || fmt.bits() > 16;
        let tag: u16 = if fmt.is_float() { 3 } else { 1 };
        let mut fmt_chunk = Vec::new();
        fmt_chunk.extend_from_slice(&(if extensible { 0xFFFEu16 } else { tag }).to_le_bytes());
        fmt_chunk.extend_from_slice(&nch.to_le_bytes());
        fmt_chunk.extend_from_slice(&rate.to_le_bytes());
        fmt_chunk.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        fmt_chunk.extend_from_slice(&block_align.to_le_bytes());
        fmt_chunk.extend_from_slice(&fmt.bits().to_le_bytes());
        if extensible {
            fmt_chunk.extend_from_slice(&22u16.to_le_bytes());
            fmt_chunk.extend_from_slice(&fmt.bits().to_le_bytes());
            // Channel mask: the first `nch` speaker positions, 0 (unassigned)
            // when there are more channels than positions.
            let mask: u32 = if nch <= 18 { (1u32 << nch) - 1 } else { 0 };
            fmt_chunk.extend_from_slice(&mask.to_le_bytes());
            // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUID.
            fmt_chunk.extend_from_slice(&tag.to_le_bytes());
            fmt_chunk.extend_from_slice(&[
                0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
            ]);
        }
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        let riff_len = 4 + 8 + fmt_chunk.len() + 8 + data.len();
        out.extend_from_slice(&(riff_len as u32).to_le_bytes());
        out.extend_from_slice(b"WAVE");
        out.extend_from_slice(b"fmt ");
        out.extend_from_slice(&(fmt_chunk.len() as u32).to_le_bytes());
        out.extend_from_slice(&fmt_chunk);
        out.extend_from_slice(b"data");
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&data);
        out
    }

    /// Deterministic pseudo-random integer codes covering the full range,
    /// extremes included.
    fn int_codes(fmt: Fmt, frames: usize, seed: u64) -> Vec<Sample> {
        let bits = u32::from(fmt.bits());
        let (lo, hi): (i64, i64) = match fmt {
            Fmt::U8 => (0, 255),
            _ => (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1),
        };
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..frames)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let c = match i {
                    0 => lo,
                    1 => hi,
                    2 => (lo + hi + 1) / 2,
                    _ => lo + (x % ((hi - lo + 1) as u64)) as i64,
                };
                Sample::Int(c)
            })
            .collect()
    }

    fn float_samples(frames: usize, seed: u64) -> Vec<Sample> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..frames)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i {
                    // Out of [-1, 1] values must survive (no clamping).
                    0 => Sample::Float(1.5),
                    1 => Sample::Float(-2.25),
                    2 => Sample::Float(1.0e-30),
                    _ => Sample::Float((x as f64 / u64::MAX as f64) * 2.0 - 1.0),
                }
            })
            .collect()
    }

    fn sine(freq: f64, rate: f64, frames: usize, amp: f64) -> Vec<f64> {
        (0..frames)
            .map(|n| amp * (2.0 * std::f64::consts::PI * freq * n as f64 / rate).sin())
            .collect()
    }

    fn float_wav(rate: u32, channels: &[Vec<f64>]) -> Vec<u8> {
        let chans: Vec<Vec<Sample>> = channels
            .iter()
            .map(|c| c.iter().map(|&v| Sample::Float(v)).collect())
            .collect();
        wav(Fmt::F32, rate, &chans)
    }

    /// Least-squares fit of `a cos + b sin` at `freq` over `x`; returns the
    /// fitted amplitude and the residual RMS (everything that is not that
    /// sine: noise, harmonics, aliases, images).
    fn sine_fit(x: &[f32], freq: f64, rate: f64) -> (f64, f64) {
        let w = 2.0 * std::f64::consts::PI * freq / rate;
        let (mut cc, mut ss, mut cs, mut xc, mut xs) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (n, &v) in x.iter().enumerate() {
            let (s, c) = (w * n as f64).sin_cos();
            let v = f64::from(v);
            cc += c * c;
            ss += s * s;
            cs += c * s;
            xc += v * c;
            xs += v * s;
        }
        let det = cc * ss - cs * cs;
        let a = (xc * ss - xs * cs) / det;
        let b = (xs * cc - xc * cs) / det;
        let mut res = 0.0;
        for (n, &v) in x.iter().enumerate() {
            let (s, c) = (w * n as f64).sin_cos();
            let r = f64::from(v) - (a * c + b * s);
            res += r * r;
        }
        ((a * a + b * b).sqrt(), (res / x.len() as f64).sqrt())
    }

    fn db(x: f64) -> f64 {
        20.0 * x.log10()
    }

    /// The part away from both ends, where a resampler's filter has full
    /// support.
    fn middle(x: &[f32]) -> &[f32] {
        let margin = x.len() / 8;
        &x[margin..x.len() - margin]
    }

    // ---- same-rate PCM: bit exact ----

    #[test]
    fn integer_pcm_all_depths_and_channel_counts_is_exact() {
        for fmt in [Fmt::U8, Fmt::S16, Fmt::S24, Fmt::S32] {
            for nch in 1..=8usize {
                let frames = 1000 + nch;
                let chans: Vec<Vec<Sample>> = (0..nch)
                    .map(|c| int_codes(fmt, frames, (c as u64 + 1) * 31 + u64::from(fmt.bits())))
                    .collect();
                let bytes = wav(fmt, 44_100, &chans);
                let buf = decode_audio_data(&bytes, 44_100.0)
                    .unwrap_or_else(|e| panic!("{fmt:?} x{nch}: {e}"));
                assert_eq!(buf.number_of_channels(), nch, "{fmt:?} x{nch}");
                assert_eq!(buf.length(), frames, "{fmt:?} x{nch}");
                assert_eq!(buf.sample_rate(), 44_100.0);
                for (c, codes) in chans.iter().enumerate() {
                    let want: Vec<f32> = codes.iter().map(|&s| expected(fmt, s)).collect();
                    let got = buf.channel(c);
                    for i in 0..frames {
                        assert_eq!(
                            got[i].to_bits(),
                            want[i].to_bits(),
                            "{fmt:?} x{nch} ch{c} frame {i}: {} != {}",
                            got[i],
                            want[i]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn integer_extremes_map_to_minus_one_and_just_below_one() {
        let bytes = wav(
            Fmt::S16,
            8_000,
            &[vec![
                Sample::Int(-32768),
                Sample::Int(32767),
                Sample::Int(0),
            ]],
        );
        let buf = decode_audio_data(&bytes, 8_000.0).unwrap();
        assert_eq!(buf.channel(0), &[-1.0, 32767.0 / 32768.0, 0.0]);
        let bytes = wav(
            Fmt::U8,
            8_000,
            &[vec![Sample::Int(0), Sample::Int(255), Sample::Int(128)]],
        );
        let buf = decode_audio_data(&bytes, 8_000.0).unwrap();
        assert_eq!(buf.channel(0), &[-1.0, 127.0 / 128.0, 0.0]);
    }

    #[test]
    fn float_pcm_is_exact_and_unclamped() {
        for fmt in [Fmt::F32, Fmt::F64] {
            for nch in 1..=8usize {
                let frames = 777;
                let chans: Vec<Vec<Sample>> = (0..nch)
                    .map(|c| float_samples(frames, c as u64 + 7))
                    .collect();
                let bytes = wav(fmt, 48_000, &chans);
                let buf = decode_audio_data(&bytes, 48_000.0)
                    .unwrap_or_else(|e| panic!("{fmt:?} x{nch}: {e}"));
                assert_eq!(buf.number_of_channels(), nch);
                assert_eq!(buf.length(), frames);
                for (c, samples) in chans.iter().enumerate() {
                    let want: Vec<f32> = samples.iter().map(|&s| expected(fmt, s)).collect();
                    assert_eq!(buf.channel(c), &want[..], "{fmt:?} x{nch} ch{c}");
                }
            }
        }
    }

    #[test]
    fn up_to_thirty_two_channels_are_exact_in_every_format() {
        // 18 is symphonia's limit; beyond it the built-in wide-WAV path
        // must give the same values.
        for nch in [9usize, 18, 19, 24, 32] {
            for fmt in [Fmt::U8, Fmt::S16, Fmt::S24, Fmt::S32, Fmt::F32, Fmt::F64] {
                let chans: Vec<Vec<Sample>> = (0..nch)
                    .map(|c| {
                        if fmt.is_float() {
                            float_samples(200, c as u64 + 3)
                        } else {
                            int_codes(fmt, 200, c as u64 + 3)
                        }
                    })
                    .collect();
                let buf = decode_audio_data(&wav(fmt, 22_050, &chans), 22_050.0)
                    .unwrap_or_else(|e| panic!("{fmt:?} x{nch}: {e}"));
                assert_eq!(buf.number_of_channels(), nch);
                for (c, ch) in chans.iter().enumerate() {
                    let want: Vec<f32> = ch.iter().map(|&s| expected(fmt, s)).collect();
                    let got = buf.channel(c);
                    assert!(
                        got.iter()
                            .zip(&want)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{fmt:?} x{nch} ch{c}"
                    );
                }
            }
        }
    }

    #[test]
    fn more_than_thirty_two_channels_are_refused() {
        for nch in [33usize, 40, 64] {
            let chans: Vec<Vec<Sample>> = (0..nch)
                .map(|c| (0..64).map(|i| Sample::Int((c * 100 + i) as i64)).collect())
                .collect();
            assert_eq!(
                rejected(&wav(Fmt::S16, 22_050, &chans), 22_050.0),
                DecodeError::UnsupportedChannelCount(nch)
            );
        }
    }

    #[test]
    fn wide_wav_rejections() {
        let chans: Vec<Vec<Sample>> = (0..24)
            .map(|c| {
                (0..100)
                    .map(|i| Sample::Int((c * 100 + i) as i64))
                    .collect()
            })
            .collect();
        let w = wav(Fmt::S16, 22_050, &chans);
        assert_eq!(
            rejected(&w[..w.len() - 1], 22_050.0),
            DecodeError::Truncated
        );
        // Data chunk length off by one byte: a partial frame.
        let mut g = w.clone();
        let len_at = g.len() - 24 * 2 * 100 - 4;
        let n = u32::from_le_bytes(g[len_at..len_at + 4].try_into().unwrap()) - 1;
        g[len_at..len_at + 4].copy_from_slice(&n.to_le_bytes());
        assert!(matches!(
            rejected(&g, 22_050.0),
            DecodeError::Incomplete { decoded: 99, .. }
        ));
        assert_eq!(
            rejected(&wav(Fmt::S16, 22_050, &vec![vec![]; 20]), 22_050.0),
            DecodeError::NoAudio
        );
        let mut g = w.clone();
        g[24..28].copy_from_slice(&5u32.to_le_bytes());
        assert_eq!(
            rejected(&g, 22_050.0),
            DecodeError::UnsupportedSampleRate(5)
        );
        let mut g = w;
        g[32..34].copy_from_slice(&7u16.to_le_bytes());
        assert!(matches!(rejected(&g, 22_050.0), DecodeError::Malformed(_)));
    }

    // ---- resampling ----

    #[test]
    fn resampled_length_follows_duration() {
        assert_eq!(resampled_length(44_100, 44_100.0, 48_000.0), 48_000);
        assert_eq!(resampled_length(1, 44_100.0, 48_000.0), 2);
        assert_eq!(resampled_length(147, 44_100.0, 48_000.0), 160);
        assert_eq!(resampled_length(148, 44_100.0, 48_000.0), 162);
        assert_eq!(resampled_length(48_000, 48_000.0, 22_050.0), 22_050);
        assert_eq!(resampled_length(3, 48_000.0, 8_000.0), 1);
        assert_eq!(resampled_length(1000, 44_100.0, 47_999.5), 1089);
    }

    /// Decodes a float WAV of a sine at `from` Hz into a `to` Hz context and
    /// returns (length, fitted amplitude, residual RMS in the middle).
    fn resample_sine(freq: f64, from: u32, to: f32, frames: usize) -> (usize, f64, f64) {
        let x = sine(freq, f64::from(from), frames, 0.5);
        let buf = decode_audio_data(&float_wav(from, &[x]), to).unwrap();
        assert_eq!(buf.sample_rate(), to);
        assert_eq!(buf.number_of_channels(), 1);
        let (amp, res) = sine_fit(middle(buf.channel(0)), freq, f64::from(to));
        (buf.length(), amp, res)
    }

    #[test]
    fn resampled_sine_stays_a_clean_sine() {
        // (tone, from, to): up, down, integer ratios, awkward ratio (sinc
        // path) and a non-integral context rate (sinc path).
        let cases: [(f64, u32, f32); 7] = [
            (1_000.0, 44_100, 48_000.0),
            (1_000.0, 48_000, 44_100.0),
            (5_000.0, 22_050, 48_000.0),
            (3_000.0, 96_000, 48_000.0),
            (440.0, 8_000, 96_000.0),
            (1_000.0, 44_100, 44_101.0),
            (1_000.0, 44_100, 47_999.5),
        ];
        for (freq, from, to) in cases {
            let frames = from as usize / 2;
            let (len, amp, res) = resample_sine(freq, from, to, frames);
            assert_eq!(
                len,
                resampled_length(frames, f64::from(from), f64::from(to))
            );
            // Passband gain within 0.001 dB.
            assert!(
                db(amp / 0.5).abs() < 0.001,
                "{from}->{to}: gain {} dB",
                db(amp / 0.5)
            );
            // Everything else (noise, aliases, images) at least 100 dB down.
            let floor = db(res / (0.5 / 2f64.sqrt()));
            assert!(floor < -100.0, "{from}->{to}: residual {floor} dB");
        }
    }

    #[test]
    fn tones_above_the_new_nyquist_do_not_alias() {
        // Downsampling: a tone the target rate cannot represent must vanish (120 dB
        // down) instead of folding back (48k -> 22.05k: 15 kHz would alias to
        // 7.05 kHz; 96k -> 44.1k: 30 kHz to 14.1 kHz).
        for (freq, from, to) in [
            (15_000.0, 48_000u32, 22_050.0f32),
            (30_000.0, 96_000, 44_100.0),
            (23_000.0, 48_000, 44_100.0),
        ] {
            let x = sine(freq, f64::from(from), from as usize / 2, 0.5);
            let buf = decode_audio_data(&float_wav(from, &[x]), to).unwrap();
            let mid = middle(buf.channel(0));
            let rms =
                (mid.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / mid.len() as f64).sqrt();
            let level = db(rms / (0.5 / 2f64.sqrt()));
            assert!(level < -120.0, "{freq} Hz {from}->{to}: {level} dB leaks");
        }
    }

    #[test]
    fn upsampling_creates_no_images() {
        // 22.05k -> 48k of a 10 kHz tone: the images at 12.05 kHz and
        // 32.05 kHz (folding to 15.95 kHz) must be absent.
        let (_, amp, res) = resample_sine(10_000.0, 22_050, 48_000.0, 22_050);
        assert!(db(amp / 0.5).abs() < 0.001);
        assert!(db(res / (0.5 / 2f64.sqrt())) < -100.0);
    }

    #[test]
    fn resampling_keeps_channels_apart() {
        let frames = 22_050;
        let l = sine(440.0, 44_100.0, frames, 0.5);
        let r = sine(3_000.0, 44_100.0, frames, 0.25);
        let buf = decode_audio_data(&float_wav(44_100, &[l, r]), 48_000.0).unwrap();
        assert_eq!(buf.number_of_channels(), 2);
        let (a, res) = sine_fit(middle(buf.channel(0)), 440.0, 48_000.0);
        assert!((a - 0.5).abs() < 1e-3 && db(res / 0.35) < -100.0);
        let (a, res) = sine_fit(middle(buf.channel(1)), 3_000.0, 48_000.0);
        assert!((a - 0.25).abs() < 1e-3 && db(res / 0.177) < -100.0);
    }

    #[test]
    fn non_finite_and_huge_samples() {
        // Found by fuzzing: NaN made the FFT resampler panic.
        let x = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            3.0e38,
            -3.0e38,
            0.5,
            0.25,
        ];
        let bytes = float_wav(44_100, &[x.repeat(100)]);
        // Same rate: the file's values, bit for bit.
        let buf = decode_audio_data(&bytes, 44_100.0).unwrap();
        for (got, want) in buf.channel(0).iter().zip(x.repeat(100)) {
            assert_eq!(got.to_bits(), (want as f32).to_bits());
        }
        // Resampled (FFT and sinc paths): finite, and the right length.
        for rate in [48_000.0, 47_999.5] {
            let buf = decode_audio_data(&bytes, rate).unwrap();
            assert_eq!(
                buf.length(),
                resampled_length(700, 44_100.0, f64::from(rate))
            );
            assert!(buf.channel(0).iter().all(|v| v.is_finite()), "{rate}");
        }
    }

    #[test]
    fn fuzz_regressions_fail_cleanly_or_decode() {
        // Inputs that once panicked inside a dependency (see
        // fuzz/README.md). First byte: the harness's context-rate selector.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let (sel, bytes) = data.split_first().unwrap();
            let rate = [44_100.0, 48_000.0, 22_050.0, 47_999.5][usize::from(sel % 4)];
            let r = decode_audio_data(bytes, rate);
            assert_ne!(r.err(), Some(DecodeError::Internal), "{path:?}");
            count += 1;
        }
        assert!(count >= 10);
    }

    #[test]
    fn single_frame_input_resamples_to_the_spec_length() {
        let bytes = wav(Fmt::S16, 44_100, &[vec![Sample::Int(16384)]]);
        let buf = decode_audio_data(&bytes, 48_000.0).unwrap();
        assert_eq!(buf.length(), 2);
        assert!(buf.channel(0).iter().all(|v| v.is_finite()));
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn pcm16_wav(frames: usize) -> Vec<u8> {
        let x: Vec<Sample> = (0..frames)
            .map(|i| Sample::Int((i as i64 * 37) % 20_000))
            .collect();
        wav(Fmt::S16, 44_100, &[x])
    }

    /// Asserts a rejection, and that it reaches script as an EncodingError.
    fn rejected(bytes: &[u8], rate: f32) -> DecodeError {
        let e = match decode_audio_data(bytes, rate) {
            Ok(b) => panic!("decoded {} frames, expected an error", b.length()),
            Err(e) => e,
        };
        assert_eq!(e.dom_exception_name(), "EncodingError");
        e
    }

    fn xorshift_bytes(n: usize, mut x: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn scrambled(mut f: Vec<u8>, at_percent: usize, len: usize) -> Vec<u8> {
        let a = f.len() * at_percent / 100;
        let end = (a + len).min(f.len());
        for b in &mut f[a..end] {
            *b ^= 0x5A;
        }
        f
    }

    #[test]
    fn rejects_empty_input() {
        assert_eq!(rejected(&[], 48_000.0), DecodeError::Empty);
    }

    #[test]
    fn rejects_bad_context_rates() {
        let w = pcm16_wav(100);
        for r in [0.0, -44_100.0, f32::NAN, f32::INFINITY] {
            assert!(matches!(
                rejected(&w, r),
                DecodeError::InvalidTargetSampleRate(_)
            ));
        }
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(rejected(&[0; 4096], 48_000.0), DecodeError::UnknownFormat);
        for seed in 1..20 {
            rejected(&xorshift_bytes(4096, seed), 48_000.0);
        }
        rejected(b"RIFF", 48_000.0);
        rejected(b"RIFF\x24\x00\x00\x00WAVEfmt ", 48_000.0);
        rejected(b"fLaC", 48_000.0);
        rejected(b"OggS\x00\x02", 48_000.0);
        rejected(b"ID3\x04\x00\x00\x00\x00\x00\x00", 48_000.0);
    }

    #[test]
    fn rejects_truncated_wav() {
        let w = pcm16_wav(1000);
        // Inside the header, at the start of the data, and mid-data.
        for cut in [12, 20, 36, 44, 45, 100, 1000, w.len() - 1] {
            rejected(&w[..cut], 48_000.0);
        }
        for cut in [44, 100, 1000] {
            assert_eq!(rejected(&w[..cut], 44_100.0), DecodeError::Truncated);
        }
        // Half a frame missing: the reader drops the partial frame.
        assert_eq!(
            rejected(&w[..w.len() - 1], 44_100.0),
            DecodeError::Incomplete {
                decoded: 999,
                declared: 1000
            }
        );
    }

    #[test]
    fn rejects_truncated_compressed_files() {
        for name in [
            "sine440_mono_44k1.flac",
            "sine440_880_stereo_44k1.mp3",
            "sine440_880_stereo_44k1.ogg",
            "sine440_880_stereo_44k1.m4a",
            "sine440_mono_44k1.aiff",
        ] {
            let f = fixture(name);
            for percent in [10, 50, 90] {
                let e = rejected(&f[..f.len() * percent / 100], 44_100.0);
                assert!(
                    !matches!(e, DecodeError::Internal),
                    "{name} cut at {percent}%: {e}"
                );
            }
        }
    }

    #[test]
    fn rejects_corrupt_streams_in_valid_containers() {
        // FLAC: a corrupt frame fails its CRC and the reader skips to the
        // next frame: the stream falls short of STREAMINFO's length.
        let flac = fixture("sine440_mono_44k1.flac");
        for at in [10, 50] {
            assert!(matches!(
                rejected(&scrambled(flac.clone(), at, 64), 44_100.0),
                DecodeError::Incomplete {
                    declared: 11_025,
                    ..
                }
            ));
        }
        // Ogg: page CRCs.
        let ogg = fixture("sine440_880_stereo_44k1.ogg");
        assert!(matches!(
            rejected(&scrambled(ogg, 50, 64), 44_100.0),
            DecodeError::Malformed(_)
        ));
        // MP3: everything after 10% scrambled.
        let mp3 = fixture("sine440_880_stereo_44k1.mp3");
        rejected(&scrambled(mp3, 10, usize::MAX / 2), 44_100.0);
        // AAC in MP4: most packets corrupt.
        let m4a = fixture("sine440_880_stereo_44k1.m4a");
        rejected(&scrambled(m4a, 10, usize::MAX / 2), 44_100.0);
    }

    #[test]
    fn tolerates_an_isolated_corrupt_packet() {
        // The spec encourages decoding what can be decoded (and warning):
        // one bad AAC packet out of 23 is reported, not fatal.
        let m4a = scrambled(fixture("sine440_880_stereo_44k1.m4a"), 50, 64);
        let (buf, report) =
            decode_audio_data_with(&m4a, 44_100.0, &DecodeOptions::default()).unwrap();
        assert_eq!(report.corrupt_packets, 1);
        assert_eq!(report.total_packets, 23);
        assert_eq!(buf.number_of_channels(), 2);
    }

    #[test]
    fn rejects_undecodable_codecs() {
        for name in ["sine440_880_stereo_48k.opus", "sine440_880_stereo_48k.webm"] {
            assert!(matches!(
                rejected(&fixture(name), 48_000.0),
                DecodeError::UnsupportedCodec(_)
            ));
        }
    }

    #[test]
    fn rejects_audio_free_and_nonsense_headers() {
        assert_eq!(rejected(&pcm16_wav(0), 48_000.0), DecodeError::NoAudio);
        let w = pcm16_wav(1000);
        for rate in [0u32, 1, 999, 4_000_000_000] {
            let mut g = w.clone();
            g[24..28].copy_from_slice(&rate.to_le_bytes());
            rejected(&g, 48_000.0);
        }
        let mut g = w.clone();
        g[34..36].copy_from_slice(&12u16.to_le_bytes());
        rejected(&g, 48_000.0);
        let mut g = w.clone();
        g[22..24].copy_from_slice(&0u16.to_le_bytes());
        rejected(&g, 48_000.0);
        // A data chunk claiming 4 GiB: refused, nothing that size allocated.
        let mut g = w.clone();
        g[40..44].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        rejected(&g, 48_000.0);
    }

    #[test]
    fn enforces_the_size_limit() {
        let w = pcm16_wav(10_000);
        let small = DecodeOptions {
            max_output_samples: 9_999,
        };
        assert_eq!(
            decode_audio_data_with(&w, 44_100.0, &small).unwrap_err(),
            DecodeError::TooLarge
        );
        // Fits at the source rate, not after upsampling.
        let fits = DecodeOptions {
            max_output_samples: 10_000,
        };
        assert!(decode_audio_data_with(&w, 44_100.0, &fits).is_ok());
        assert_eq!(
            decode_audio_data_with(&w, 48_000.0, &fits).unwrap_err(),
            DecodeError::TooLarge
        );
    }

    // ---- compressed and other containers (committed fixtures) ----

    /// The lossless fixtures all hold the same 16-bit PCM.
    #[test]
    fn lossless_fixtures_decode_identically() {
        let reference = decode_audio_data(&fixture("sine440_mono_44k1.aiff"), 44_100.0).unwrap();
        assert_eq!(reference.length(), 11_025);
        assert_eq!(reference.number_of_channels(), 1);
        for name in [
            "sine440_mono_44k1.flac",
            "sine440_mono_44k1.caf",
            "sine440_mono_44k1_alac.m4a",
        ] {
            let buf = decode_audio_data(&fixture(name), 44_100.0).unwrap();
            assert_eq!(buf, reference, "{name}");
        }
        // And that PCM is the 16-bit 440 Hz sine at half scale.
        let (amp, res) = sine_fit(reference.channel(0), 440.0, 44_100.0);
        assert!((amp - 0.5).abs() < 1e-4, "{amp}");
        // 16-bit quantisation noise is about -98 dB relative to full scale.
        assert!(db(res / (0.5 / 2f64.sqrt())) < -85.0);
        for v in reference.channel(0) {
            assert_eq!((v * 32768.0).fract(), 0.0);
        }
    }

    /// (fixture, expected length or None when the format adds encoder delay
    /// or block padding that symphonia does not trim, tone per channel, max
    /// residual in dB, relative amplitude tolerance). The MP3 plays 0.45 dB
    /// low (ffmpeg's decoder measures the same), hence its wider tolerance.
    #[test]
    fn lossy_fixtures_decode_to_the_encoded_tones() {
        type Case = (&'static str, usize, bool, &'static [f64], f64, f64);
        let cases: [Case; 5] = [
            (
                "sine440_880_stereo_44k1.mp3",
                22_050,
                true,
                &[440.0, 880.0],
                -60.0,
                0.06,
            ),
            (
                "sine440_880_stereo_44k1.ogg",
                22_050,
                true,
                &[440.0, 880.0],
                -35.0,
                0.02,
            ),
            (
                "sine440_880_stereo_44k1.m4a",
                22_050,
                false,
                &[440.0, 880.0],
                -25.0,
                0.02,
            ),
            (
                "sine440_mono_44k1_ima_adpcm.wav",
                11_025,
                false,
                &[440.0],
                -35.0,
                0.01,
            ),
            (
                "sine440_mono_44k1_ms_adpcm.wav",
                11_025,
                false,
                &[440.0],
                -35.0,
                0.01,
            ),
        ];
        for (name, len, exact, tones, max_res_db, amp_tol) in cases {
            let buf = decode_audio_data(&fixture(name), 44_100.0).unwrap();
            assert_eq!(buf.number_of_channels(), tones.len(), "{name}");
            if exact {
                // Gapless: encoder delay and padding trimmed.
                assert_eq!(buf.length(), len, "{name}");
            } else {
                // Never shorter; at most 3072 frames of priming or block
                // padding (AAC: 2 x 1024, IMA ADPCM: one 2041-frame block).
                assert!(
                    (len..len + 3072).contains(&buf.length()),
                    "{name}: {}",
                    buf.length()
                );
            }
            for (c, &f) in tones.iter().enumerate() {
                let x = middle(buf.channel(c));
                let (amp, res) = sine_fit(x, f, 44_100.0);
                assert!(
                    (amp / 0.5 - 1.0).abs() < amp_tol,
                    "{name} ch{c}: amplitude {amp}"
                );
                let r = db(res / (0.5 / 2f64.sqrt()));
                assert!(r < max_res_db, "{name} ch{c}: residual {r} dB");
            }
        }
    }

    #[test]
    fn vbr_mp3_without_a_frame_count_is_not_cut_short() {
        // 0.6 s of loud noise then 1 s of a faint tone, VBR, no Xing header:
        // a length extrapolated from the first frames' bitrate is far too
        // short, and symphonia used to cut the audio there.
        let name = "noise_then_quiet_mono_44k1_vbr_notag.mp3";
        let bytes = fixture(name);
        let buf = decode_audio_data(&bytes, 44_100.0).unwrap();
        // Whole MPEG frames, encoder delay and padding included (no tag to
        // say how much to trim).
        assert!(buf.length() >= 70_560, "{}", buf.length());
        assert!(buf.length() < 70_560 + 3 * 1152, "{}", buf.length());
        assert_eq!(buf.length() % 1152, 0);
        // The faint tail is there: 440 Hz at 0.001.
        let tail = &buf.channel(0)[44_100..66_150];
        let (amp, _) = sine_fit(tail, 440.0, 44_100.0);
        assert!((amp - 0.001).abs() < 0.0002, "{amp}");
    }

    #[test]
    fn compressed_file_is_resampled_to_the_context_rate() {
        let buf = decode_audio_data(&fixture("sine1k_mono_48k.flac"), 44_100.0).unwrap();
        assert_eq!(buf.sample_rate(), 44_100.0);
        assert_eq!(buf.length(), 11_025); // 12000 frames at 48 kHz
        let (amp, res) = sine_fit(middle(buf.channel(0)), 1_000.0, 44_100.0);
        assert!((amp - 0.5).abs() < 1e-3);
        assert!(db(res / (0.5 / 2f64.sqrt())) < -85.0);
    }

    #[test]
    fn decodes_concurrently_on_worker_threads() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<AudioBufferData>();
        assert_send::<DecodeError>();
        let flac = std::sync::Arc::new(fixture("sine440_mono_44k1.flac"));
        let reference = decode_audio_data(&flac, 48_000.0).unwrap();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let flac = flac.clone();
                std::thread::spawn(move || decode_audio_data(&flac, 48_000.0).unwrap())
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), reference);
        }
    }
}
