// SPDX-License-Identifier: Apache-2.0
// bytes16.h: looking at sixteen bytes at a time, for the scanners of src/feed (UTF-8 checks, text
// runs, references). GCC's and clang's vector extension gives SSE2 on x86-64 and NEON on the
// Pi's arm64 from one source, with no intrinsics to keep per platform; elsewhere (other compilers,
// big-endian) NK_BYTES16 is 0 and callers keep their byte loops. Internal; pure; any thread.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NK_BYTES16 1
#else
#define NK_BYTES16 0
#endif

namespace nk::feed_detail {

#if NK_BYTES16
using Bytes16 = unsigned char __attribute__((vector_size(16)));

inline Bytes16 load16(const unsigned char* p) {
    Bytes16 v;
    std::memcpy(&v, p, 16);
    return v;
}

// The index of the first lane a comparison (or a combination of them) set, or 16 for none.
// Without a branch on which half holds it (countr_zero(0) is 64): that branch follows the data,
// and in escaped HTML, where every scan finds a '&' or '<' within a few bytes, it was mispredicted
// about as often as not (perf: a tenth of append_decoded's time).
template <class Mask>
inline std::size_t first_set16(const Mask& m) {
    static_assert(sizeof(Mask) == 16);
    std::uint64_t lo, hi;
    std::memcpy(&lo, &m, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&m) + 8, 8);
    const int high_half = lo == 0 ? std::countr_zero(hi) : 0;
    return static_cast<std::size_t>(std::countr_zero(lo) + high_half) / 8;
}

template <class Mask>
inline bool any16(const Mask& m) {
    static_assert(sizeof(Mask) == 16);
    std::uint64_t lo, hi;
    std::memcpy(&lo, &m, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&m) + 8, 8);
    return (lo | hi) != 0;
}
#endif

// The first c in s at or after `from`, or npos. References and tags come every few bytes in
// escaped HTML, where a memchr call per gap costs more than the gap.
inline std::size_t find_byte(std::string_view s, char c, std::size_t from) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = from;
#if NK_BYTES16
    const auto want = static_cast<unsigned char>(c);
    for (; i + 16 <= n; i += 16)
        if (const std::size_t k = first_set16(load16(p + i) == want); k != 16) return i + k;
#endif
    for (; i < n; ++i)
        if (p[i] == static_cast<unsigned char>(c)) return i;
    return std::string_view::npos;
}

}  // namespace nk::feed_detail
