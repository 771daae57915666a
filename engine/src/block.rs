//! Audio blocks: the unit of audio moving along graph edges.

use std::alloc::Layout;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use crate::{MAX_CHANNELS, RENDER_QUANTUM_SIZE};

/// One channel of one render quantum.
pub type Channel = [f32; RENDER_QUANTUM_SIZE];

const SILENT_CHANNEL: Channel = [0.0; RENDER_QUANTUM_SIZE];

/// Channels a block keeps in its small storage: enough for mono and stereo,
/// which most blocks never leave.
const NARROW: usize = 2;

/// Room for [`MAX_CHANNELS`] channels: a block's reserve.
type WideStorage = [Channel; MAX_CHANNELS];

/// Reserves per chunk of the pool: 64 MiB chunks, above the size at which
/// the system allocator always maps fresh (untouched) pages for a request.
const RESERVES_PER_CHUNK: usize = 4096;

/// Page size the pool's chunks are aligned to.
const PAGE: usize = 4096;

fn chunk_layout() -> Layout {
    Layout::from_size_align(RESERVES_PER_CHUNK * size_of::<WideStorage>(), PAGE)
        .expect("reserve chunk layout")
}

/// A chunk of reserves: those never handed out yet start at `fresh`.
struct Chunk {
    base: usize,
    fresh: usize,
    /// Reserves given back, by index.
    free: Vec<u16>,
    live: usize,
}

/// Where reserves come from: slices of large chunks the system allocator
/// maps lazily, written only when a block first needs them (so a reserve
/// costs address space, not memory, until then), reused through per-chunk
/// free lists. A chunk is returned when its last reserve comes back. Used
/// on the control and garbage threads, never the render thread.
struct ReservePool {
    chunks: Vec<Chunk>,
}

static RESERVES: std::sync::Mutex<ReservePool> =
    std::sync::Mutex::new(ReservePool { chunks: Vec::new() });

fn reserves() -> std::sync::MutexGuard<'static, ReservePool> {
    RESERVES.lock().unwrap_or_else(|e| e.into_inner())
}

/// One reserve: `MAX_CHANNELS` channels of memory, initialised only as far
/// as its block says.
struct Reserve(NonNull<MaybeUninit<WideStorage>>);

// SAFETY: a reserve is owned by exactly one block (or a chunk's free list)
// and is only accessed through it.
unsafe impl Send for Reserve {}
unsafe impl Sync for Reserve {}

impl ReservePool {
    fn take(&mut self) -> Reserve {
        let index = self
            .chunks
            .iter()
            .position(|c| !c.free.is_empty() || c.fresh < RESERVES_PER_CHUNK)
            .unwrap_or_else(|| self.add_chunk());
        let chunk = &mut self.chunks[index];
        let slot = match chunk.free.pop() {
            Some(slot) => slot as usize,
            None => {
                chunk.fresh += 1;
                chunk.fresh - 1
            }
        };
        chunk.live += 1;
        let at = chunk.base + slot * size_of::<WideStorage>();
        // SAFETY: `at` lies inside a live chunk, is aligned for f32 and not null.
        Reserve(unsafe { NonNull::new_unchecked(at as *mut MaybeUninit<WideStorage>) })
    }

    fn add_chunk(&mut self) -> usize {
        let layout = chunk_layout();
        // SAFETY: the layout has a non-zero size.
        let base = unsafe { std::alloc::alloc(layout) };
        if base.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        self.chunks.push(Chunk {
            base: base as usize,
            fresh: 0,
            free: Vec::with_capacity(RESERVES_PER_CHUNK),
            live: 0,
        });
        self.chunks.len() - 1
    }

    fn give_back(&mut self, reserve: Reserve) {
        let at = reserve.0.as_ptr() as usize;
        let size = chunk_layout().size();
        let Some(index) = self
            .chunks
            .iter()
            .position(|c| (c.base..c.base + size).contains(&at))
        else {
            return;
        };
        let chunk = &mut self.chunks[index];
        chunk.live -= 1;
        if chunk.live == 0 {
            let chunk = self.chunks.swap_remove(index);
            // SAFETY: allocated in `add_chunk` with this layout; no reserve
            // of it is handed out any more.
            unsafe { std::alloc::dealloc(chunk.base as *mut u8, chunk_layout()) };
        } else {
            chunk
                .free
                .push(((at - chunk.base) / size_of::<WideStorage>()) as u16);
        }
    }
}

impl Reserve {
    fn ptr(&self) -> *mut Channel {
        self.0.as_ptr().cast::<Channel>()
    }
}

/// `channels x 128` samples. Storage for [`MAX_CHANNELS`] channels is reserved
/// when the block is made (on the control thread), so changing the channel
/// count on the render thread never allocates. Up to [`NARROW`] channels
/// live in a small allocation; the reserve is only touched (and only then
/// becomes resident memory) when a block needs more.
///
/// Invariant: while [`AudioBlock::is_silent`] is true every sample is zero, so
/// readers may use the data without checking the flag; the flag is a fast path.
pub struct AudioBlock {
    narrow: Box<[Channel; NARROW]>,
    /// Written only once the block has needed more than [`NARROW`]
    /// channels (`wide_in_use`); its channels `..len` are initialised then.
    wide: Reserve,
    wide_in_use: bool,
    len: usize,
    silent: bool,
}

impl Drop for AudioBlock {
    fn drop(&mut self) {
        let reserve = std::mem::replace(&mut self.wide, Reserve(NonNull::dangling()));
        reserves().give_back(reserve);
    }
}

impl Clone for AudioBlock {
    fn clone(&self) -> Self {
        let mut block = AudioBlock::new(self.len);
        block.copy_from(self);
        block
    }
}

impl std::fmt::Debug for AudioBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioBlock")
            .field("channels", &self.len)
            .field("silent", &self.silent)
            .finish()
    }
}

impl AudioBlock {
    /// A silent block of `channels` channels (clamped to 1..=MAX_CHANNELS).
    pub fn new(channels: usize) -> Self {
        let mut block = Self {
            narrow: Box::new([SILENT_CHANNEL; NARROW]),
            wide: reserves().take(),
            wide_in_use: false,
            len: 1,
            silent: true,
        };
        block.set_number_of_channels(channels);
        block
    }

    fn wide_ptr(&mut self) -> *mut Channel {
        self.wide.ptr()
    }

    pub fn number_of_channels(&self) -> usize {
        self.len
    }

    /// Changes the channel count without allocating. Added channels are
    /// silent; the silent flag is unchanged.
    pub fn set_number_of_channels(&mut self, n: usize) {
        let n = n.clamp(1, MAX_CHANNELS);
        if n > NARROW && !self.wide_in_use {
            // Move to the reserve: it was allocated with the block.
            let (narrow, wide) = (self.narrow.as_ptr(), self.wide_ptr());
            // SAFETY: `wide` has room for MAX_CHANNELS channels and does not
            // overlap `narrow`; the first `len` narrow channels are initialised.
            unsafe { std::ptr::copy_nonoverlapping(narrow, wide, self.len) };
            self.wide_in_use = true;
        }
        if n > self.len {
            if self.wide_in_use {
                let wide = self.wide_ptr();
                for c in self.len..n {
                    // SAFETY: c < MAX_CHANNELS, within the reserve.
                    unsafe { wide.add(c).write(SILENT_CHANNEL) };
                }
            } else {
                self.narrow[self.len..n].fill(SILENT_CHANNEL);
            }
        }
        self.len = n;
    }

    pub fn is_silent(&self) -> bool {
        self.silent
    }

    /// Zeroes the block (keeping its channel count) and marks it silent.
    pub fn make_silent(&mut self) {
        if !self.silent {
            for c in self.channels_storage_mut() {
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
        &self.channels()[index]
    }

    /// Mutable access marks the block as not silent.
    pub fn channel_mut(&mut self, index: usize) -> &mut Channel {
        self.silent = false;
        &mut self.channels_storage_mut()[index]
    }

    pub fn channels(&self) -> &[Channel] {
        if self.wide_in_use {
            let wide = self.wide.ptr().cast_const();
            // SAFETY: channels `..len` of the reserve are initialised while
            // it is in use (see `set_number_of_channels`).
            unsafe { std::slice::from_raw_parts(wide, self.len) }
        } else {
            &self.narrow[..self.len]
        }
    }

    /// Mutable access marks the block as not silent.
    pub fn channels_mut(&mut self) -> &mut [Channel] {
        self.silent = false;
        self.channels_storage_mut()
    }

    fn channels_storage_mut(&mut self) -> &mut [Channel] {
        if self.wide_in_use {
            let (wide, len) = (self.wide_ptr(), self.len);
            // SAFETY: as in `channels`, and `&mut self` makes it unique.
            unsafe { std::slice::from_raw_parts_mut(wide, len) }
        } else {
            &mut self.narrow[..self.len]
        }
    }

    /// Copies `other` into `self` (channel count included) without allocating.
    pub fn copy_from(&mut self, other: &AudioBlock) {
        if other.silent {
            self.make_silent_with_channels(other.number_of_channels());
            return;
        }
        self.set_number_of_channels(other.number_of_channels());
        self.channels_storage_mut()
            .copy_from_slice(other.channels());
        self.silent = false;
    }

    /// True when every sample is zero (a real scan, unlike `is_silent`).
    pub fn is_all_zero(&self) -> bool {
        self.silent || self.channels().iter().all(|c| c.iter().all(|&s| s == 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_count_changes_keep_samples_and_silence_added_channels() {
        let mut b = AudioBlock::new(1);
        b.channel_mut(0)[5] = 0.5;
        b.set_number_of_channels(2);
        b.channel_mut(1)[6] = -0.5;
        // Past the small storage: the samples move to the reserve.
        b.set_number_of_channels(MAX_CHANNELS);
        assert_eq!(b.channel(0)[5], 0.5);
        assert_eq!(b.channel(1)[6], -0.5);
        assert!(
            b.channels()[2..]
                .iter()
                .all(|c| c.iter().all(|&s| s == 0.0))
        );
        b.channel_mut(MAX_CHANNELS - 1)[0] = 1.0;
        b.set_number_of_channels(2);
        assert_eq!(b.number_of_channels(), 2);
        assert_eq!(b.channel(0)[5], 0.5);
        // Channels that come back are silent again.
        b.set_number_of_channels(MAX_CHANNELS);
        assert_eq!(b.channel(MAX_CHANNELS - 1)[0], 0.0);
        let mut c = AudioBlock::new(3);
        c.copy_from(&b);
        assert_eq!(c.number_of_channels(), MAX_CHANNELS);
        assert_eq!(c.channel(1)[6], -0.5);
        assert!(AudioBlock::new(40).number_of_channels() == MAX_CHANNELS);
    }

    #[test]
    fn reserves_are_reused_and_empty_chunks_returned() {
        let mut pool = ReservePool { chunks: Vec::new() };
        let a = pool.take();
        let b = pool.take();
        let at = a.ptr();
        assert_eq!(b.ptr() as usize - at as usize, size_of::<WideStorage>());
        assert_eq!(at as usize % PAGE, 0);
        pool.give_back(a);
        let c = pool.take();
        assert_eq!(c.ptr(), at, "reused");
        let mut more: Vec<Reserve> = (0..RESERVES_PER_CHUNK).map(|_| pool.take()).collect();
        assert_eq!(pool.chunks.len(), 2);
        pool.give_back(b);
        pool.give_back(c);
        assert_eq!(
            pool.chunks.len(),
            2,
            "one reserve of the first chunk is still out"
        );
        for r in more.drain(..) {
            pool.give_back(r);
        }
        assert!(pool.chunks.is_empty(), "empty chunks are returned");
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
