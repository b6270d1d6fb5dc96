// The detectors' landmark pass, in C because it is the one loop that touches every byte of every
// text the gateway governs, and it needs SIMD byte classification with a movemask: 32 bytes per
// compare where the CPU has AVX2, 16 on any other x86-64 (SSE2 is part of the base ISA). Swift's
// SIMD types have no portable way to turn a lane mask into bits, and a byte-at-a-time Swift loop
// ran at ~6 ns/byte. Other architectures take the scalar loop, which computes the same bits.
// The JSON serialiser's search for bytes a string must escape lives here for the same reason.
#define _GNU_SOURCE
#include "text_scan.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// At most this many prefix bytes; unused slots repeat the first.
#define PREFIX_SLOTS 12

/// A byte set as two 16-entry tables: a byte b is in the set when low[b & 15] & high[b >> 4] is
/// not zero. Each distinct high nibble of the set's bytes gets one bit (so at most 8 of them);
/// low[l] holds the bits of the high nibbles h for which (h << 4 | l) is in the set.
typedef struct {
    uint8_t low[16], high[16];
} nibble_tables;

/// Builds the tables; returns 0 when the bytes have more than 8 distinct high nibbles.
static int make_nibble_tables(const uint8_t *bytes, size_t count, nibble_tables *tables) {
    memset(tables, 0, sizeof *tables);
    int classes = 0;
    for (size_t i = 0; i < count; i++) {
        uint8_t high = bytes[i] >> 4;
        if (!tables->high[high]) {
            if (classes == 8) return 0;
            tables->high[high] = (uint8_t)(1 << classes++);
        }
        tables->low[bytes[i] & 15] |= tables->high[high];
    }
    return 1;
}

typedef struct {
    uint64_t word, upper, digit, plus, number, at, colon, dot, equals, prefix, high;
} block_masks;

static inline int is_word(uint8_t b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_';
}

/// Turns one block's masks into landmark bits; carries the last byte's kind to the next block.
static inline void emit(const block_masks *m, size_t w, uint64_t *word_carry, uint64_t *word_or_plus_carry, uint64_t *high,
                        tp_landmark_bitmaps out) {
    uint64_t word_start = m->word & ~((m->word << 1) | *word_carry);
    out.prefix_starts[w] = word_start & m->prefix;
    out.capitals[w] = word_start & m->upper;
    out.number_starts[w] = m->number & ~(((m->word | m->plus) << 1) | *word_or_plus_carry);
    out.ats[w] = m->at;
    out.colons[w] = m->colon;
    out.dots[w] = m->dot;
    out.operators[w] = m->colon | m->equals;
    *high |= m->high;
    *word_carry = m->word >> 63;
    *word_or_plus_carry = (m->word | m->plus) >> 63;
}

static void classify_scalar(const uint8_t *block, const uint8_t *prefixes, block_masks *m) {
    memset(m, 0, sizeof *m);
    for (int i = 0; i < 64; i++) {
        uint8_t b = block[i];
        uint64_t bit = (uint64_t)1 << i;
        int upper = b >= 'A' && b <= 'Z', digit = b >= '0' && b <= '9';
        if (upper || digit || (b >= 'a' && b <= 'z') || b == '_') m->word |= bit;
        if (upper) m->upper |= bit;
        if (digit) m->digit |= bit;
        if (b == '+') m->plus |= bit;
        if (digit || b == '+' || b == '(') m->number |= bit;
        if (b == '@') m->at |= bit;
        if (b == ':') m->colon |= bit;
        if (b == '.') m->dot |= bit;
        if (b == '=') m->equals |= bit;
        if (b >= 0x80) m->high |= bit;
        for (int p = 0; p < PREFIX_SLOTS; p++)
            if (b == prefixes[p]) m->prefix |= bit;
    }
}

// The whole pass for one instruction set: blocks of 64 bytes, compared WIDTH bytes at a time in
// vector registers, the compares of a kind ORed together, then one movemask per kind. The last,
// partial block is copied into a zeroed buffer (a zero byte is no landmark).
#define LANDMARK_PASS(NAME, ATTRIBUTE, V, SET1, SUB, MIN, EQ, OR, LOAD, MOVEMASK, WIDTH, PREFIX_SETUP, PREFIX_BITS)     \
    ATTRIBUTE static uint64_t NAME(const uint8_t *text, size_t count, uint8_t before, const uint8_t *prefixes,           \
                                   const nibble_tables *nibbles, tp_landmark_bitmaps out) {                           \
        PREFIX_SETUP                                                                                                 \
        uint64_t word_carry = is_word(before), word_or_plus_carry = is_word(before) || before == '+', high = 0;               \
        size_t words = (count + 63) / 64;                                                                            \
        for (size_t w = 0; w < words; w++) {                                                                         \
            uint8_t tail[64];                                                                                        \
            const uint8_t *block = text + 64 * w;                                                                    \
            if (64 * w + 64 > count) {                                                                               \
                memset(tail, 0, sizeof tail);                                                                        \
                memcpy(tail, block, count - 64 * w);                                                                 \
                block = tail;                                                                                        \
            }                                                                                                        \
            block_masks m = {0};                                                                                     \
            for (int lane = 0; lane < 64 / WIDTH; lane++) {                                                          \
                V x = LOAD((const V *)(block + WIDTH * lane));                                                       \
                int shift = WIDTH * lane;                                                                            \
                V upper_off = SUB(x, SET1('A')), lower_off = SUB(x, SET1('a')), digit_off = SUB(x, SET1('0'));        \
                V upper = EQ(MIN(upper_off, SET1(25)), upper_off);                                                   \
                V digit = EQ(MIN(digit_off, SET1(9)), digit_off);                                                    \
                V word = OR(OR(upper, digit), OR(EQ(MIN(lower_off, SET1(25)), lower_off), EQ(x, SET1('_'))));        \
                m.word |= (uint64_t)(uint32_t)MOVEMASK(word) << shift;                                               \
                m.upper |= (uint64_t)(uint32_t)MOVEMASK(upper) << shift;                                             \
                m.digit |= (uint64_t)(uint32_t)MOVEMASK(digit) << shift;                                             \
                V plus = EQ(x, SET1('+'));                                                                           \
                m.plus |= (uint64_t)(uint32_t)MOVEMASK(plus) << shift;                                               \
                m.number |= (uint64_t)(uint32_t)MOVEMASK(OR(digit, OR(plus, EQ(x, SET1('('))))) << shift;            \
                m.at |= (uint64_t)(uint32_t)MOVEMASK(EQ(x, SET1('@'))) << shift;                                      \
                m.colon |= (uint64_t)(uint32_t)MOVEMASK(EQ(x, SET1(':'))) << shift;                                   \
                m.dot |= (uint64_t)(uint32_t)MOVEMASK(EQ(x, SET1('.'))) << shift;                                     \
                m.equals |= (uint64_t)(uint32_t)MOVEMASK(EQ(x, SET1('='))) << shift;                                  \
                m.prefix |= (uint64_t)(uint32_t)(PREFIX_BITS) << shift;                                              \
                m.high |= (uint64_t)(uint32_t)MOVEMASK(x) << shift;                                                  \
            }                                                                                                        \
            emit(&m, w, &word_carry, &word_or_plus_carry, &high, out);                                                      \
        }                                                                                                            \
        return high;                                                                                                 \
    }

#if defined(__x86_64__)
// SSE2: a compare per prefix byte.
#define COMPARE_SETUP                                                                                                \
    __m128i prefix_vectors[PREFIX_SLOTS];                                                                            \
    for (int i = 0; i < PREFIX_SLOTS; i++) prefix_vectors[i] = _mm_set1_epi8((char)prefixes[i]);                     \
    (void)nibbles;
#define COMPARE_BITS compare_prefixes(x, prefix_vectors)

static inline uint32_t compare_prefixes(__m128i x, const __m128i *prefix_vectors) {
    __m128i prefix = _mm_cmpeq_epi8(x, prefix_vectors[0]);
    for (int i = 1; i < PREFIX_SLOTS; i++) prefix = _mm_or_si128(prefix, _mm_cmpeq_epi8(x, prefix_vectors[i]));
    return (uint32_t)_mm_movemask_epi8(prefix);
}

// AVX2: two nibble lookups (vpshufb) say whether a byte is a prefix byte; see nibble_tables.
#define NIBBLE_SETUP                                                                                                 \
    const __m256i low_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->low));          \
    const __m256i high_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->high));        \
    const __m256i low_nibble = _mm256_set1_epi8(0x0F);                                                               \
    (void)prefixes;
#define NIBBLE_BITS                                                                                                  \
    ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(                                                               \
        _mm256_and_si256(_mm256_shuffle_epi8(low_table, _mm256_and_si256(x, low_nibble)),                            \
                         _mm256_shuffle_epi8(high_table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low_nibble))),    \
        _mm256_setzero_si256()))

LANDMARK_PASS(pass_sse2, , __m128i, _mm_set1_epi8, _mm_sub_epi8, _mm_min_epu8, _mm_cmpeq_epi8, _mm_or_si128, _mm_loadu_si128,
              _mm_movemask_epi8, 16, COMPARE_SETUP, COMPARE_BITS)
LANDMARK_PASS(pass_avx2, __attribute__((target("avx2"))), __m256i, _mm256_set1_epi8, _mm256_sub_epi8, _mm256_min_epu8,
              _mm256_cmpeq_epi8, _mm256_or_si256, _mm256_loadu_si256, _mm256_movemask_epi8, 32, NIBBLE_SETUP, NIBBLE_BITS)
#endif

static uint64_t pass_scalar(const uint8_t *text, size_t count, uint8_t before, const uint8_t *prefixes,
                            tp_landmark_bitmaps out) {
    uint64_t word_carry = is_word(before), word_or_plus_carry = is_word(before) || before == '+', high = 0;
    size_t words = (count + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        uint8_t tail[64] = {0};
        const uint8_t *block = text + 64 * w;
        if (64 * w + 64 > count) {
            memcpy(tail, block, count - 64 * w);
            block = tail;
        }
        block_masks m;
        classify_scalar(block, prefixes, &m);
        emit(&m, w, &word_carry, &word_or_plus_carry, &high, out);
    }
    return high;
}

int tp_landmarks_using(tp_instruction_set set, const uint8_t *text, size_t count, uint8_t before, const uint8_t *prefix_bytes,
                       size_t prefix_count, tp_landmark_bitmaps out) {
    uint8_t prefixes[PREFIX_SLOTS];
    for (int i = 0; i < PREFIX_SLOTS; i++) prefixes[i] = prefix_count == 0 ? 0 : prefix_bytes[(size_t)i < prefix_count ? i : 0];
    nibble_tables nibbles;
    int nibbles_fit = prefix_count > 0 && make_nibble_tables(prefix_bytes, prefix_count, &nibbles);
    uint64_t high;
    switch (set) {
#if defined(__x86_64__)
    case tp_avx2:
        if (nibbles_fit && __builtin_cpu_supports("avx2")) {
            high = pass_avx2(text, count, before, prefixes, &nibbles, out);
            break;
        }
        /* fall through */
    case tp_sse2:
        high = pass_sse2(text, count, before, prefixes, &nibbles, out);
        break;
#endif
    default:
        (void)nibbles_fit;
        high = pass_scalar(text, count, before, prefixes, out);
    }
    return high == 0;
}

int tp_landmarks(const uint8_t *text, size_t count, uint8_t before, const uint8_t *prefix_bytes, size_t prefix_count,
                 tp_landmark_bitmaps out) {
    return tp_landmarks_using(tp_avx2, text, count, before, prefix_bytes, prefix_count, out);
}

long tp_find(const uint8_t *haystack, size_t haystack_count, const uint8_t *needle, size_t needle_count) {
    const uint8_t *hit = memmem(haystack, haystack_count, needle, needle_count);
    return hit ? (long)(hit - haystack) : -1;
}


// Bytes a JSON string must escape (RFC 8259 §7).
static inline int json_needs_escape(uint8_t byte) { return byte < 0x20 || byte == '"' || byte == '\\'; }

size_t tp_json_plain_prefix(const uint8_t *text, size_t count) {
    size_t index = 0;
#if defined(__x86_64__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    for (; index + 16 <= count; index += 16) {
        __m128i block = _mm_loadu_si128((const __m128i *)(text + index));
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash)),
                                    _mm_cmpeq_epi8(_mm_min_epu8(block, control), block));
        int mask = _mm_movemask_epi8(hits);
        if (mask) return index + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; index < count; index++) {
        if (json_needs_escape(text[index])) return index;
    }
    return count;
}
