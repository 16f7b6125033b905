// SPDX-License-Identifier: Apache-2.0
// x11_shm.h: frames put on screen without the GL pipeline, where the last frame is kept (Mesa's
// software GL under X, the Preserved path of display.cpp). There, GL's cost is rasterising pixels
// again: a crawl frame re-rasterises the band's text (~1.1 ms of a core at 1080p), a fade's step
// redraws the cards' picture and text or a quad over them (4-9 ms). Here the pixels GL drew once
// are kept in memory shared with the X server (MIT-SHM) and moved or blended on the CPU:
// - CrawlBlit: the crawl's band as on screen, shifted left by the step; its new columns come from
//   chunks GL drew ahead (the display's own draw of the crawl, read back): ~0.1 ms a frame.
// - FadeBlit: a fade between cards. Leaving, each step reads the old cards back from the kept
//   frame and blends them towards the background; at the midpoint GL draws the fade's last frame
//   once (exact, into the back buffer), and each arriving step reads it back and blends it in from
//   the background. Rows go through a small shared image a band at a time: ~1 ms a step, and no
//   megabytes held (fresh memory is dear to touch on a VM, and the kiosk's footprint is a target).
// Xlib and Xext are opened at run time by soname (Mesa's GLX has them in the process whenever this
// applies), so the product links no X library and runs unchanged on GLFW's Wayland build.
// Main thread only (the GL context's): both read the back buffer with glReadPixels.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nk::platform {

// Whole framebuffer pixels, from the top left.
struct PixelRect {
    int x = 0, y = 0, w = 0, h = 0;
    bool operator==(const PixelRect& o) const { return x == o.x && y == o.y && w == o.w && h == o.h; }
    bool empty() const { return w <= 0 || h <= 0; }
};

// The window under X, for images put on it without GL.
class X11Screen {
public:
    X11Screen();
    ~X11Screen();
    X11Screen(const X11Screen&) = delete;
    X11Screen& operator=(const X11Screen&) = delete;

    // The X display and window GLFW made (GL's drawable is a GLX window, not the X one). False,
    // with the reason in `why`, when Xlib or Xext are not there, the server has no shared memory
    // for this client (a remote display) or the window is not 24-bit true colour.
    bool init(void* display, unsigned long window, std::string& why);
    bool ready() const;
    // Before the window and the X connection close; the blitters' images must be gone first.
    void release();

    struct Impl;
    Impl& impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

class CrawlBlit {
public:
    explicit CrawlBlit(X11Screen& screen);
    ~CrawlBlit();
    CrawlBlit(const CrawlBlit&) = delete;
    CrawlBlit& operator=(const CrawlBlit&) = delete;

    // After a GL frame that put the crawl at `offset` on screen, its rows `band`: the band is read
    // back from GL's back buffer (`fb_h` high). `fresh`: what the crawl shows may have changed
    // (items, size, theme, language), so the columns drawn ahead are dropped.
    void sync(const PixelRect& band, int64_t offset, int fb_h, bool fresh);
    // The screen no longer shows a band this knows (no crawl, screen off): the next crawl frame goes through GL.
    void forget();
    void release();

    // Draws the crawl at `offset` into GL's back buffer, only the band's columns [x, x + w), to be
    // read back (the display's own draw of the crawl, Kiosk::draw_crawl).
    using DrawColumns = std::function<void(int64_t offset, int x, int w)>;
    // A frame where only the crawl moved, to `offset`, in `band`: true once it is on screen. False
    // when it cannot be done here (not synced, the band moved, a step backwards or too long): draw
    // that frame through GL.
    bool show(const PixelRect& band, int64_t offset, int fb_h, const DrawColumns& draw);

    uint64_t chunks() const { return chunks_; }  // chunks drawn through GL so far (the exit statistics line)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    uint64_t chunks_ = 0;
};

class FadeBlit {
public:
    explicit FadeBlit(X11Screen& screen);
    ~FadeBlit();
    FadeBlit(const FadeBlit&) = delete;
    FadeBlit& operator=(const FadeBlit&) = delete;

    // A fade's step over the kept frame (`fb_h` high), which shows the old cards standing where
    // `leaving` says until the new ones are drawn. `gone` of the old cards turned to the background
    // `bg` (0xRRGGBB), computed from the kept frame's pixels, so each step is exact. Once `come` > 0:
    // `draw_end` draws the fade's last frame into the kept frame the first time (the new cards
    // standing, exactly; it returns the rectangles it painted) and `come` of them is blended in from
    // the background. On screen when it returns; false if the images cannot be made (draw it by GL).
    bool step(const std::vector<PixelRect>& leaving, float gone, float come, uint32_t bg, int fb_h,
              const std::function<std::vector<PixelRect>()>& draw_end);
    // A fade is being blended here (a step succeeded since the last reset).
    bool active() const { return active_; }
    // The kept frame shows the new cards standing: what the fade's last frame puts on screen.
    bool arrived() const { return arrived_; }
    const std::vector<PixelRect>& painted() const { return painted_; }
    // The fade is over, or GL drew over the cards: the next step starts from the kept frame again.
    void reset();
    void release();

    uint64_t fades() const { return fades_; }  // fades whose new cards were drawn ahead (the exit statistics line)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    bool active_ = false;
    bool arrived_ = false;
    std::vector<PixelRect> painted_;
    uint64_t fades_ = 0;
};

}  // namespace nk::platform
