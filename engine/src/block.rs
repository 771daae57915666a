//! Audio blocks: the unit of audio moving along graph edges.

use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

/// One channel of one render quantum.
pub type Channel = [f32; RENDER_QUANTUM_SIZE];

const SILENT_CHANNEL: Channel = [0.0; RENDER_QUANTUM_SIZE];

/// `channels x 128` samples. Storage for [`MAX_CHANNELS`] channels is reserved
/// when the block is made (on the control thread), so changing the channel
/// count on the render thread never allocates.
///
/// Invariant: while [`AudioBlock::is_silent`] is true every sample is zero, so
/// readers may use the data without checking the flag; the flag is a fast path.
#[derive(Debug, Clone)]
pub struct AudioBlock {
    channels: Vec<Channel>,
    silent: bool,
}

impl AudioBlock {
    /// A silent block of `channels` channels (clamped to 1..=MAX_CHANNELS).
    pub fn new(channels: usize) -> Self {
        let mut data = Vec::with_capacity(MAX_CHANNELS);
        data.resize(channels.clamp(1, MAX_CHANNELS), SILENT_CHANNEL);
        Self {
            channels: data,
            silent: true,
        }
    }

    pub fn number_of_channels(&self) -> usize {
        self.channels.len()
    }

    /// Changes the channel count without allocating. Added channels are
    /// silent; the silent flag is unchanged.
    pub fn set_number_of_channels(&mut self, n: usize) {
        let n = n.clamp(1, MAX_CHANNELS);
        // Within the reserved capacity: never reallocates.
        self.channels.resize(n, SILENT_CHANNEL);
    }

    pub fn is_silent(&self) -> bool {
        self.silent
    }

    /// Zeroes the block (keeping its channel count) and marks it silent.
    pub fn make_silent(&mut self) {
        if !self.silent {
            for c in &mut self.channels {
                c.fill(0.0);
            }
            self.silent = true;
        }
    }

    /// Makes this block `n` channels of silence.
    pub fn make_silent_with_channels(&mut self, n: usize) {
        self.make_silent();
        self.set_number_of_channels(n);
    }

    pub fn channel(&self, index: usize) -> &Channel {
        &self.channels[index]
    }

    /// Mutable access marks the block as not silent.
    pub fn channel_mut(&mut self, index: usize) -> &mut Channel {
        self.silent = false;
        &mut self.channels[index]
    }

    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Mutable access marks the block as not silent.
    pub fn channels_mut(&mut self) -> &mut [Channel] {
        self.silent = false;
        &mut self.channels
    }

    /// Copies `other` into `self` (channel count included) without allocating.
    pub fn copy_from(&mut self, other: &AudioBlock) {
        if other.silent {
            self.make_silent_with_channels(other.number_of_channels());
            return;
        }
        self.set_number_of_channels(other.number_of_channels());
        self.channels.copy_from_slice(&other.channels);
        self.silent = false;
    }

    /// True when every sample is zero (a real scan, unlike `is_silent`).
    pub fn is_all_zero(&self) -> bool {
        self.silent || self.channels.iter().all(|c| c.iter().all(|&s| s == 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_count_changes_keep_capacity() {
        let mut b = AudioBlock::new(1);
        let cap = b.channels.capacity();
        b.set_number_of_channels(MAX_CHANNELS);
        b.set_number_of_channels(2);
        assert_eq!(b.channels.capacity(), cap);
        assert_eq!(b.number_of_channels(), 2);
    }

    #[test]
    fn silence_flag_tracks_writes() {
        let mut b = AudioBlock::new(2);
        assert!(b.is_silent());
        b.channel_mut(1)[3] = 0.5;
        assert!(!b.is_silent());
        b.make_silent();
        assert!(b.is_silent());
        assert_eq!(b.channel(1)[3], 0.0);
    }
}
