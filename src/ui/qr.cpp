// SPDX-License-Identifier: Apache-2.0
#include "ui/qr.h"

#include <qrencode.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace nk::ui {

namespace {

constexpr int kQuiet = 4;               // ISO/IEC 18004 asks for 4 light modules around the code
constexpr std::size_t kMaxBytes = 2331;  // version 40, level M, byte mode

}  // namespace

bool QrMatrix::at(int x, int y) const {
    return x >= 0 && y >= 0 && x < size && y < size && dark[static_cast<std::size_t>(y) * size + x] != 0;
}

std::optional<QrMatrix> make_qr(std::string_view text) {
    // The length check also keeps the size_t -> int cast below exact.
    if (text.empty() || text.size() > kMaxBytes) return std::nullopt;
    // M survives ~15% damage: enough for a clean screen, and the code stays one or two versions smaller than Q/H.
    std::unique_ptr<QRinput, decltype(&QRinput_free)> input(QRinput_new2(0, QR_ECLEVEL_M), &QRinput_free);
    // Byte mode has no charset of its own (ISO-8859-1 by the standard), so decoders guess: zbar reads UTF-8 "é" as
    // Shift-JIS. ECI 26 declares UTF-8; ASCII text, most links, goes without it, as the oldest readers expect.
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
    if (!input || (!ascii && QRinput_appendECIheader(input.get(), 26) != 0) ||
        QRinput_append(input.get(), QR_MODE_8, static_cast<int>(text.size()),
                       reinterpret_cast<const unsigned char*>(text.data())) != 0)
        return std::nullopt;
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeInput(input.get()), &QRcode_free);
    if (!code) return std::nullopt;  // too long for version 40
    QrMatrix m;
    m.size = code->width;
    m.dark.resize(static_cast<std::size_t>(m.size) * m.size);
    for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;  // the other bits are encoder notes
    return m;
}

float draw_qr(ImDrawList* dl, const QrMatrix& qr, ImVec2 pos, float max_side, ImU32 dark, ImU32 light) {
    const int n = qr.size + 2 * kQuiet;
    const float module = std::floor(max_side / static_cast<float>(n));
    if (qr.size == 0 || module < 1.0f) return 0.0f;
    const float side = module * static_cast<float>(n);
    // A fractional origin would blend every module edge across two pixels, which blurs small codes.
    const float ox = std::round(pos.x + (max_side - side) / 2);
    const float oy = std::round(pos.y + (max_side - side) / 2);
    const auto edge = [&](float origin, int i) { return origin + static_cast<float>(i + kQuiet) * module; };
    dl->AddRectFilled(ImVec2(ox, oy), ImVec2(ox + side, oy + side), light);
    for (int y = 0; y < qr.size; ++y) {
        for (int x = 0; x < qr.size;) {
            if (!qr.at(x, y)) { ++x; continue; }
            const int start = x;
            while (qr.at(x, y)) ++x;
            dl->AddRectFilled(ImVec2(edge(ox, start), edge(oy, y)), ImVec2(edge(ox, x), edge(oy, y + 1)), dark);
        }
    }
    return side;
}

std::vector<unsigned char> qr_to_grey(const QrMatrix& qr, int module_px, int& side_px) {
    side_px = (qr.size > 0 && module_px > 0) ? (qr.size + 2 * kQuiet) * module_px : 0;
    std::vector<unsigned char> img(static_cast<std::size_t>(side_px) * side_px, 255);
    for (int py = 0; py < side_px; ++py)
        for (int px = 0; px < side_px; ++px)
            if (qr.at(px / module_px - kQuiet, py / module_px - kQuiet))
                img[static_cast<std::size_t>(py) * side_px + px] = 0;
    return img;
}

float qr_min_side_px(const QrMatrix& qr, float metres, float px_per_mm) {
    // A phone camera (about 65 degrees wide, 1920 px across) sees about 0.7 mm per camera pixel at 1 m, and decoders
    // want about 3 pixels per module: 2 mm per module per metre, 2.5 with a margin for focus and hand shake. For a
    // typical story link (version 3, 29 modules + quiet zone) that is side = distance / 11, the common "10:1" rule,
    // but unlike that rule it grows with longer links, whose modules are smaller.
    const float module_px = std::max(1.0f, std::ceil(2.5f * metres * px_per_mm));
    return module_px * static_cast<float>(qr.size + 2 * kQuiet);
}

}  // namespace nk::ui
