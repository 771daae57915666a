//! Immutable audio data shared with the render thread (the spec's "acquired
//! content" of an AudioBuffer).

/// Planar f32 audio. Built on the control thread, then shared read-only
/// (`Arc<AudioBufferData>`) with processors; the render thread never mutates
/// or frees it (it discards its `Arc` through the garbage queue).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioBufferData {
    sample_rate: f32,
    length: usize,
    channels: Vec<Box<[f32]>>,
}

impl AudioBufferData {
    /// `channels` must all have the same length and there must be at least one.
    pub fn new(sample_rate: f32, channels: Vec<Box<[f32]>>) -> Self {
        let length = channels.first().map_or(0, |c| c.len());
        debug_assert!(channels.iter().all(|c| c.len() == length));
        Self {
            sample_rate,
            length,
            channels,
        }
    }

    /// `number_of_channels` channels of `length` zeros (fallible: both are
    /// the script's).
    pub fn silent(
        number_of_channels: usize,
        length: usize,
        sample_rate: f32,
    ) -> Result<Self, crate::fallible::AllocError> {
        crate::fallible::check_budget::<f32>(number_of_channels as u128 * length as u128)?;
        let mut channels = crate::fallible::try_vec_with_capacity(number_of_channels)?;
        for _ in 0..number_of_channels {
            channels.push(crate::fallible::try_zeroed_f32(length)?.into_boxed_slice());
        }
        Ok(Self::new(sample_rate, channels))
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// Frames per channel.
    pub fn length(&self) -> usize {
        self.length
    }

    pub fn number_of_channels(&self) -> usize {
        self.channels.len()
    }

    pub fn duration(&self) -> f64 {
        self.length as f64 / self.sample_rate as f64
    }

    pub fn channel(&self, index: usize) -> &[f32] {
        &self.channels[index]
    }

    pub fn channels(&self) -> &[Box<[f32]>] {
        &self.channels
    }

    pub fn into_channels(self) -> Vec<Box<[f32]>> {
        self.channels
    }
}
