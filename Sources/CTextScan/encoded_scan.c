// Two gates in front of the detectors' normalized view and encoded-run decoding, in C for the
// reason the landmark pass is (see text_scan.c): they read every byte of every governed text,
// and 16-byte SSE2 compares with a movemask keep that to a fraction of a nanosecond per byte;
// the same loops in Swift, a byte at a time, halved the detectors' throughput.
#include "text_scan.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline int view_changes(uint8_t byte) {
    return byte > 0x7E || byte == '\\' || (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r');
}

size_t tp_view_plain_prefix(const uint8_t *text, size_t count) {
    size_t index = 0;
#if defined(__x86_64__)
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i tab = _mm_set1_epi8('\t'), line = _mm_set1_epi8('\n'), carriage = _mm_set1_epi8('\r');
    const __m128i low = _mm_set1_epi8(0x1F), high = _mm_set1_epi8(0x7F);
    for (; index + 16 <= count; index += 16) {
        __m128i block = _mm_loadu_si128((const __m128i *)(text + index));
        __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(block, low), block);
        __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, tab), _mm_cmpeq_epi8(block, line)),
                                       _mm_cmpeq_epi8(block, carriage));
        __m128i above = _mm_cmpeq_epi8(_mm_max_epu8(block, high), block);
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_andnot_si128(allowed, control), above), _mm_cmpeq_epi8(block, backslash));
        int mask = _mm_movemask_epi8(hits);
        if (mask) return index + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; index < count; index++) {
        if (view_changes(text[index])) return index;
    }
    return count;
}

static inline int is_base64(uint8_t b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/' || b == '-' ||
           b == '_';
}

#if defined(__x86_64__)
static inline __m128i in_range(__m128i x, uint8_t lo, uint8_t hi) {
    return _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8((char)lo)), x),
                         _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8((char)hi)), x));
}
#endif

/// One bit per byte of text[start, start + 64) that is in the base64 alphabet; bytes past
/// `count` are not.
static uint64_t base64_mask(const uint8_t *text, size_t count, size_t start) {
    uint64_t mask = 0;
    size_t index = 0;
#if defined(__x86_64__)
    for (; index + 16 <= 64 && start + index + 16 <= count; index += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(text + start + index));
        __m128i hits = _mm_or_si128(_mm_or_si128(in_range(x, 'A', 'Z'), in_range(x, 'a', 'z')), in_range(x, '0', '9'));
        hits = _mm_or_si128(hits, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')), _mm_cmpeq_epi8(x, _mm_set1_epi8('/'))));
        hits = _mm_or_si128(hits, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')), _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(hits) << index;
    }
#endif
    for (; index < 64 && start + index < count; index++) {
        if (is_base64(text[start + index])) mask |= (uint64_t)1 << index;
    }
    return mask;
}

long tp_next_base64_run(const uint8_t *text, size_t count, size_t from, size_t min_run) {
    if (min_run == 0 || min_run > 64 || from >= count) return -1;
    uint64_t current = base64_mask(text, count, from);
    for (size_t start = from; start < count; start += 64) {
        uint64_t next = start + 64 < count ? base64_mask(text, count, start + 64) : 0;
        // Bit i of `runs` is set when bytes i .. i + min_run - 1 (reaching into `next`) all are.
        unsigned __int128 window = ((unsigned __int128)next << 64) | current;
        unsigned __int128 runs = window;
        size_t covered = 1;
        while (covered < min_run) {
            size_t shift = covered * 2 <= min_run ? covered : min_run - covered;
            runs &= runs >> shift;
            covered += shift;
        }
        uint64_t found = (uint64_t)runs;
        if (found) return (long)(start + (size_t)__builtin_ctzll(found));
        current = next;
    }
    return -1;
}

size_t tp_base64_prefix(const uint8_t *text, size_t count) {
    for (size_t start = 0; start < count; start += 64) {
        uint64_t missing = ~base64_mask(text, count, start);
        if (missing) {
            size_t end = start + (size_t)__builtin_ctzll(missing);
            return end < count ? end : count;
        }
    }
    return count;
}

// The password and command-line flag gates of the secret detector: one pass that marks where a
// password word may be (folded `as` of pass/password/passwort, `pw`, `tw` of wachtwoord, `nw` of
// kennwort) and where a flag may start (a space, tab or line break, then `-`). It replaced eight
// memmem passes, which took a quarter of the detectors' time on mixed text.
static inline uint8_t fold_byte(uint8_t b) { return (b >= 'A' && b <= 'Z') ? (uint8_t)(b | 0x20) : b; }

static inline int is_anchor(uint8_t a, uint8_t b) {
    a = fold_byte(a);
    b = fold_byte(b);
    return (a == 'a' && b == 's') || (b == 'w' && (a == 'p' || a == 't' || a == 'n')) || (a == 'n' && b == 'h');
}

static inline int is_flag(uint8_t a, uint8_t b) { return b == '-' && (a == ' ' || a == '\t' || a == '\n'); }

void tp_secret_gates(const uint8_t *text, size_t count, uint64_t *anchors, uint64_t *flags) {
    size_t words = (count + 63) / 64;
    for (size_t w = 0; w < words; w++) anchors[w] = flags[w] = 0;
    if (count < 2) return;
    size_t index = 0;
#if defined(__x86_64__)
    const __m128i a_upper = _mm_set1_epi8('A'), span = _mm_set1_epi8(25), bit = _mm_set1_epi8(0x20);
    const __m128i a = _mm_set1_epi8('a'), s = _mm_set1_epi8('s'), p = _mm_set1_epi8('p'), t = _mm_set1_epi8('t');
    const __m128i n = _mm_set1_epi8('n'), w = _mm_set1_epi8('w'), h = _mm_set1_epi8('h'), dash = _mm_set1_epi8('-'), space = _mm_set1_epi8(' ');
    const __m128i tab = _mm_set1_epi8('\t'), line = _mm_set1_epi8('\n');
    for (; index + 17 <= count; index += 16) {
        __m128i first = _mm_loadu_si128((const __m128i *)(text + index));
        __m128i second = _mm_loadu_si128((const __m128i *)(text + index + 1));
        __m128i off1 = _mm_sub_epi8(first, a_upper), off2 = _mm_sub_epi8(second, a_upper);
        __m128i f1 = _mm_or_si128(first, _mm_and_si128(_mm_cmpeq_epi8(_mm_min_epu8(off1, span), off1), bit));
        __m128i f2 = _mm_or_si128(second, _mm_and_si128(_mm_cmpeq_epi8(_mm_min_epu8(off2, span), off2), bit));
        __m128i as = _mm_and_si128(_mm_cmpeq_epi8(f1, a), _mm_cmpeq_epi8(f2, s));
        __m128i xw = _mm_and_si128(_mm_cmpeq_epi8(f2, w),
                                   _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(f1, p), _mm_cmpeq_epi8(f1, t)), _mm_cmpeq_epi8(f1, n)));
        __m128i nh = _mm_and_si128(_mm_cmpeq_epi8(f1, n), _mm_cmpeq_epi8(f2, h));
        __m128i gap = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(first, space), _mm_cmpeq_epi8(first, tab)), _mm_cmpeq_epi8(first, line));
        __m128i flag = _mm_and_si128(gap, _mm_cmpeq_epi8(second, dash));
        uint64_t anchor_bits = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(as, xw), nh));
        uint64_t flag_bits = (uint64_t)(uint32_t)_mm_movemask_epi8(flag);
        // Blocks start at multiples of 16: a block's 16 bits never straddle two words.
        anchors[index / 64] |= anchor_bits << (index % 64);
        flags[index / 64] |= flag_bits << (index % 64);
    }
#endif
    for (; index + 1 < count; index++) {
        if (is_anchor(text[index], text[index + 1])) anchors[index / 64] |= (uint64_t)1 << (index % 64);
        if (is_flag(text[index], text[index + 1])) flags[index / 64] |= (uint64_t)1 << (index % 64);
    }
}
