#ifndef TAPPASS_TEXT_SCAN_H
#define TAPPASS_TEXT_SCAN_H

#include <stddef.h>
#include <stdint.h>

/// Where the detectors may start, as bitmaps with one bit per byte of text (bit i of word w is
/// byte 64 * w + i). Each must hold (count + 63) / 64 words.
typedef struct {
    /// Word starts whose byte is one of the prefix bytes given.
    uint64_t *prefix_starts;
    /// Word starts with a capital letter.
    uint64_t *capitals;
    /// Digits, `+` and `(` that neither continue a word nor follow a `+`.
    uint64_t *number_starts;
    uint64_t *ats;
    uint64_t *colons;
    uint64_t *dots;
    /// `=` and `:`.
    uint64_t *operators;
} tp_landmark_bitmaps;

/// Classifies `count` bytes of `text`. `before` is the byte just before `text` (0 at the start
/// of a text), so a text may be classified in pieces. `prefix_bytes` lists the bytes that start
/// a token prefix (at most 12). Returns 1 when every byte is ASCII, else 0.
int tp_landmarks(const uint8_t *text, size_t count, uint8_t before, const uint8_t *prefix_bytes, size_t prefix_count,
                 tp_landmark_bitmaps out);

/// The instruction set a pass uses: the best one the CPU has (`tp_avx2` falls back to SSE2 on
/// x86-64 without AVX2, and every set to scalar code elsewhere). Tests compare them.
typedef enum { tp_scalar = 0, tp_sse2 = 1, tp_avx2 = 2 } tp_instruction_set;

int tp_landmarks_using(tp_instruction_set set, const uint8_t *text, size_t count, uint8_t before, const uint8_t *prefix_bytes,
                       size_t prefix_count, tp_landmark_bitmaps out);

/// The offset of the first occurrence of `needle` in `haystack`, or -1 (glibc's `memmem`, which
/// Swift's Glibc module does not export).
long tp_find(const uint8_t *haystack, size_t haystack_count, const uint8_t *needle, size_t needle_count);

/// How many leading bytes of `text` a JSON string may hold as they are: the offset of the first
/// `"`, `\\` or control byte (below 0x20), or `count` when there is none.
size_t tp_json_plain_prefix(const uint8_t *text, size_t count);

/// How many leading bytes of `text` the detectors' normalized view keeps as they are: the offset
/// of the first byte above 0x7E, backslash, or control byte other than tab, line feed and
/// carriage return, or `count` when there is none.
size_t tp_view_plain_prefix(const uint8_t *text, size_t count);

/// The secret detector's gates, as bitmaps of `(count + 63) / 64` words: `anchors` marks where a
/// password word may be (ASCII-folded `as`, `pw`, `tw`, `nw`, `nh`), `flags` where a command-line flag
/// may start (a space, tab or line break followed by `-`; the bit is on the space).
void tp_secret_gates(const uint8_t *text, size_t count, uint64_t *anchors, uint64_t *flags);

/// The offset of the first byte at or after `from` that starts a run of at least `min_run`
/// (1 to 64) base64-alphabet bytes (letters, digits, `+ / - _`), or -1.
long tp_next_base64_run(const uint8_t *text, size_t count, size_t from, size_t min_run);

/// The length of the run of base64-alphabet bytes at the start of `text`.
size_t tp_base64_prefix(const uint8_t *text, size_t count);

#endif
