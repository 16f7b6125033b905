// SPDX-License-Identifier: Apache-2.0
// crawl_x11.h: the ticker's crawl moved on screen without the GL pipeline, where the last frame is
// kept (Mesa's software GL under X, the Preserved path of display.cpp). Through GL a crawl frame
// rasterises the band's text again, about 1.1 ms of a core at 1080p: most of the kiosk's CPU with
// the ticker on. Here the band as it is on screen lives in an MIT-SHM image; a crawl frame shifts
// it left by the step, copies the new columns in from a chunk that GL drew once ahead (the same
// draw as a GL frame's, read back, so the same pixels) and puts it on the window: about 0.05 ms.
// Xlib and Xext are opened at run time by soname (Mesa's GLX has them in the process whenever this
// applies), so the product links no X library and runs unchanged on GLFW's Wayland build.
// Main thread only (the GL context's): it reads the back buffer with glReadPixels.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace nk::platform {

// Whole framebuffer pixels, from the top left.
struct PixelRect {
    int x = 0, y = 0, w = 0, h = 0;
    bool operator==(const PixelRect& o) const { return x == o.x && y == o.y && w == o.w && h == o.h; }
    bool empty() const { return w <= 0 || h <= 0; }
};

class CrawlBlit {
public:
    CrawlBlit();
    ~CrawlBlit();
    CrawlBlit(const CrawlBlit&) = delete;
    CrawlBlit& operator=(const CrawlBlit&) = delete;

    // The X display and window GLFW made (GL's drawable is a GLX window, not the X one). False,
    // with the reason in `why`, when Xlib or Xext are not there, the server has no shared memory
    // for this client (a remote display) or the window is not 24-bit true colour.
    bool init(void* display, unsigned long window, std::string& why);
    bool ready() const;
    // Lets go of the shared image and the GC: before the window and the X connection close.
    void release();

    // After a GL frame that put the crawl at `offset` on screen, its rows `band`: the band is read
    // back from GL's back buffer (`fb_h` high). `fresh`: what the crawl shows may have changed
    // (items, size, theme, language), so the columns drawn ahead are dropped.
    void sync(const PixelRect& band, int64_t offset, int fb_h, bool fresh);
    // The screen no longer shows a band this knows (no crawl, screen off): the next crawl frame goes through GL.
    void forget();

    // Draws the crawl at `offset` into GL's back buffer, only the band's columns [x, x + w), to be
    // read back (the display's own draw of the crawl, Kiosk::draw_crawl).
    using DrawColumns = std::function<void(int64_t offset, int x, int w)>;
    // A frame where only the crawl moved, to `offset`, in `band`: true once it is on screen. False
    // when it cannot be done here (not synced, the band moved, a step backwards or too long): draw
    // that frame through GL.
    bool show(const PixelRect& band, int64_t offset, int fb_h, const DrawColumns& draw);

    uint64_t chunks() const;  // chunks drawn through GL so far (the exit statistics line)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nk::platform
