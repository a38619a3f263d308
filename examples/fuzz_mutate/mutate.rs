//! Seeded byte-level mutations for the mutation runner.

/// SplitMix64: small, seeded, the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Huge or odd values written over counts in binary headers.
const HUGE_U32: [u32; 6] = [
    0x7FFF_FFFF,
    0xFFFF_FFFF,
    0x8000_0000,
    0x0100_0000,
    0xFFFF,
    0,
];

/// Number tokens for text formats.
const ODD_NUMBERS: [&str; 8] = [
    "1e309",
    "-1e309",
    "99999999999999999999999",
    "-0",
    "NaN",
    "1e-400",
    "4294967296",
    "0.000000000000000000001",
];

/// One mutation, chosen at random.
pub fn mutate(bytes: &mut Vec<u8>, text: bool, rng: &mut Rng) {
    let len = bytes.len();
    match rng.below(9) {
        0 => {
            // Byte flips.
            for _ in 0..1 + rng.below(8) {
                if len > 0 {
                    let i = rng.below(len);
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
        }
        1 => bytes.truncate(rng.below(len + 1)),
        2 if len > 0 => {
            // Chunk duplication.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(256)).min(len);
            let chunk = bytes[a..b].to_vec();
            let at = rng.below(len + 1);
            bytes.splice(at..at, chunk);
        }
        3 if text => replace_number(bytes, rng),
        3 if len >= 4 => {
            // Huge count: at a 4-aligned offset in the first 128 bytes, or at any offset.
            let v = HUGE_U32[rng.below(HUGE_U32.len())];
            let at = if rng.below(2) == 0 {
                4 * rng.below(len.min(128) / 4)
            } else {
                rng.below(len - 3)
            };
            let le = rng.below(2) == 0;
            let b = if le { v.to_le_bytes() } else { v.to_be_bytes() };
            bytes[at..at + 4].copy_from_slice(&b);
        }
        4 => {
            // Non-UTF-8 bytes (a lone continuation, a cut lead byte, 0xFF, NUL).
            let junk: &[u8] =
                [&[0xFFu8][..], &[0xC3], &[0x80], &[0xE4, 0xB8], &[0x00]][rng.below(5)];
            let at = rng.below(len + 1);
            bytes.splice(at..at, junk.iter().copied());
        }
        5 => {
            // Byte-order marks.
            let bom: &[u8] =
                [&[0xEFu8, 0xBB, 0xBF][..], &[0xFF, 0xFE], &[0xFE, 0xFF]][rng.below(3)];
            bytes.splice(0..0, bom.iter().copied());
        }
        6 if len > 0 => {
            // Delete a range.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64)).min(len);
            bytes.drain(a..b);
        }
        7 if len > 0 => {
            // Random bytes over a range.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(16)).min(len);
            for x in &mut bytes[a..b] {
                *x = rng.next_u64() as u8;
            }
        }
        _ if text => {
            // Deep nesting or a long repeat of a structural character.
            let c = [b'[', b'{', b'"', b','][rng.below(4)];
            let at = rng.below(len + 1);
            let n = 1 + rng.below(5000);
            bytes.splice(at..at, std::iter::repeat_n(c, n));
        }
        _ => {
            let at = rng.below(len + 1);
            bytes.splice(at..at, std::iter::repeat_n(0u8, 1 + rng.below(64)));
        }
    }
}

/// Replaces a run of digits in a text file with an odd number.
fn replace_number(bytes: &mut Vec<u8>, rng: &mut Rng) {
    let starts: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
        .collect();
    if starts.is_empty() {
        return;
    }
    let a = starts[rng.below(starts.len())];
    let b = (a..bytes.len())
        .find(|&i| !(bytes[i].is_ascii_digit() || bytes[i] == b'.'))
        .unwrap_or(bytes.len());
    let n = ODD_NUMBERS[rng.below(ODD_NUMBERS.len())];
    bytes.splice(a..b, n.bytes());
}
