// SPDX-License-Identifier: Apache-2.0
#include "platform/x11_shm.h"

#include <GL/gl.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>

#include <dlfcn.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cmath>
#include <vector>

namespace nk::platform {
namespace {

// Columns drawn ahead through GL at a time: at the default 2 px a step, one chunk every 256
// frames (about 4 s); GL's fixed cost per draw (~0.3 ms) is then nothing next to the frames saved.
constexpr int kChunk = 512;

// The Xlib and Xext entry points used, from the libraries already in the process.
struct XLib {
    decltype(&XSync) sync = nullptr;
    decltype(&XFlush) flush = nullptr;
    decltype(&XCreateGC) create_gc = nullptr;
    decltype(&XFreeGC) free_gc = nullptr;
    decltype(&XGetWindowAttributes) window_attributes = nullptr;
    decltype(&XSetErrorHandler) set_error_handler = nullptr;
    decltype(&XShmQueryExtension) shm_query = nullptr;
    decltype(&XShmCreateImage) shm_create_image = nullptr;
    decltype(&XShmAttach) shm_attach = nullptr;
    decltype(&XShmDetach) shm_detach = nullptr;
    decltype(&XShmPutImage) shm_put_image = nullptr;

    bool load(std::string& why) {
        void* x11 = dlopen("libX11.so.6", RTLD_LAZY);
        void* xext = dlopen("libXext.so.6", RTLD_LAZY);
        if (!x11 || !xext) {
            why = "no libX11.so.6 or libXext.so.6";
            return false;
        }
        auto get = [](void* lib, const char* name, auto& fn) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
            return fn != nullptr;
        };
        if (get(x11, "XSync", sync) && get(x11, "XFlush", flush) && get(x11, "XCreateGC", create_gc) && get(x11, "XFreeGC", free_gc) &&
            get(x11, "XGetWindowAttributes", window_attributes) && get(x11, "XSetErrorHandler", set_error_handler) &&
            get(xext, "XShmQueryExtension", shm_query) && get(xext, "XShmCreateImage", shm_create_image) &&
            get(xext, "XShmAttach", shm_attach) && get(xext, "XShmDetach", shm_detach) &&
            get(xext, "XShmPutImage", shm_put_image))
            return true;
        why = "libX11 or libXext lacks a function";
        return false;
    }
};

// XShmAttach fails asynchronously (a server on another host cannot map our segment): its error
// must not reach Xlib's default handler, which ends the process.
int g_x_error = 0;
int note_x_error(Display*, XErrorEvent* e) {
    g_x_error = e->error_code;
    return 0;
}

}  // namespace

struct X11Screen::Impl {
    XLib x;
    Display* display = nullptr;
    Window window = 0;
    Visual* visual = nullptr;
    int depth = 0;
    GC gc = nullptr;
};

namespace {

// GL's back buffer, rows [r.y, r.y + r.h) from the top, columns [r.x, r.x + r.w), into `dst`
// (`stride` pixels a row), top row first: BGRA bytes, as a 24-bit X image holds them. GL writes
// rows bottom-up; they are turned over in place (no second buffer to fault in).
void read_back(const PixelRect& r, int fb_h, uint32_t* dst, std::size_t stride) {
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    glPixelStorei(GL_PACK_ROW_LENGTH, static_cast<GLint>(stride));
    glReadBuffer(GL_BACK);
    glReadPixels(r.x, fb_h - r.y - r.h, r.w, r.h, GL_BGRA, GL_UNSIGNED_BYTE, dst);
    glPixelStorei(GL_PACK_ROW_LENGTH, 0);
    std::vector<uint32_t> row(static_cast<std::size_t>(r.w));
    const std::size_t bytes = static_cast<std::size_t>(r.w) * 4;
    for (int top = 0, bottom = r.h - 1; top < bottom; ++top, --bottom) {
        uint32_t* a = dst + static_cast<std::size_t>(top) * stride;
        uint32_t* b = dst + static_cast<std::size_t>(bottom) * stride;
        std::memcpy(row.data(), a, bytes);
        std::memcpy(a, b, bytes);
        std::memcpy(b, row.data(), bytes);
    }
}

// Fresh pages in one call rather than one fault each (a fade holds a few megabytes for half a
// second; faults are the dearest part of that on a VM). Kernels before 5.14 fault as usual.
void populate(void* p, std::size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    const uintptr_t page = 4096;
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

// Each byte of `px` (n pixels) w/256 of the way to `to`'s: 256 lands on it exactly. Sixteen bytes
// at a time in 16-bit lanes (a*(256-w) + b*w + 128 < 65536), SSE2 or NEON alike.
void lerp_bytes(uint32_t* px, const uint32_t* to, int n, unsigned w) {
    typedef unsigned char u8x16 __attribute__((vector_size(16)));
    typedef unsigned short u16x16 __attribute__((vector_size(32)));
    auto* d = reinterpret_cast<unsigned char*>(px);
    const auto* t = reinterpret_cast<const unsigned char*>(to);
    const auto keep = static_cast<unsigned short>(256 - w), take = static_cast<unsigned short>(w);
    const std::size_t bytes = static_cast<std::size_t>(n) * 4;
    std::size_t i = 0;
    for (; i + 16 <= bytes; i += 16) {
        u8x16 a, b;
        std::memcpy(&a, d + i, 16);
        std::memcpy(&b, t + i, 16);
        const u16x16 mixed = (__builtin_convertvector(a, u16x16) * keep + __builtin_convertvector(b, u16x16) * take + 128) >> 8;
        const u8x16 out = __builtin_convertvector(mixed, u8x16);
        std::memcpy(d + i, &out, 16);
    }
    for (; i < bytes; ++i) d[i] = static_cast<unsigned char>((d[i] * keep + t[i] * take + 128) >> 8);
}

// An XImage in memory shared with the X server.
class ShmImage {
public:
    explicit ShmImage(X11Screen::Impl& s) : s_(s) {}
    ShmImage(const ShmImage&) = delete;
    ShmImage& operator=(const ShmImage&) = delete;
    ~ShmImage() { release(); }
    bool ok() const { return image_ != nullptr; }
    int width() const { return w_; }
    int height() const { return h_; }

    bool make(int w, int h) {
        release();
        shm_ = {};
        image_ = s_.x.shm_create_image(s_.display, s_.visual, static_cast<unsigned>(s_.depth), ZPixmap, nullptr, &shm_,
                                       static_cast<unsigned>(w), static_cast<unsigned>(h));
        if (!image_) return false;
        // Rows as glReadPixels writes them (GL_PACK_ROW_LENGTH in pixels).
        if (image_->bits_per_pixel != 32 || image_->byte_order != LSBFirst || image_->bytes_per_line % 4 != 0) {
            XDestroyImage(image_);
            image_ = nullptr;
            return false;
        }
        shm_.shmid = shmget(IPC_PRIVATE, static_cast<size_t>(image_->bytes_per_line) * static_cast<size_t>(h), IPC_CREAT | 0600);
        if (shm_.shmid < 0) {
            XDestroyImage(image_);
            image_ = nullptr;
            return false;
        }
        shm_.shmaddr = image_->data = static_cast<char*>(shmat(shm_.shmid, nullptr, 0));
        shm_.readOnly = False;
        bool ok = shm_.shmaddr != reinterpret_cast<char*>(-1);
        if (ok) {
            populate(shm_.shmaddr, static_cast<size_t>(image_->bytes_per_line) * static_cast<size_t>(h));
            s_.x.sync(s_.display, False);
            g_x_error = 0;
            auto previous = s_.x.set_error_handler(note_x_error);
            s_.x.shm_attach(s_.display, &shm_);
            s_.x.sync(s_.display, False);
            s_.x.set_error_handler(previous);
            ok = g_x_error == 0;
        }
        // Marked for removal now: it goes when both sides detach, even if the kiosk is killed.
        shmctl(shm_.shmid, IPC_RMID, nullptr);
        if (!ok) {
            if (shm_.shmaddr != reinterpret_cast<char*>(-1)) shmdt(shm_.shmaddr);
            image_->data = nullptr;
            XDestroyImage(image_);
            image_ = nullptr;
            return false;
        }
        w_ = w;
        h_ = h;
        return true;
    }

    void release() {
        if (!image_) return;
        s_.x.shm_detach(s_.display, &shm_);
        s_.x.sync(s_.display, False);
        XDestroyImage(image_);  // XShm's own destroy: frees the XImage, not the shared data
        shmdt(shm_.shmaddr);
        image_ = nullptr;
        w_ = h_ = 0;
        pending_ = 0;
    }

    uint32_t* row(int y) const {
        return reinterpret_cast<uint32_t*>(image_->data + static_cast<std::ptrdiff_t>(y) * image_->bytes_per_line);
    }
    std::size_t stride() const { return static_cast<std::size_t>(image_->bytes_per_line) / 4; }  // pixels

    // `r` of the image (its own coordinates) to the window at (x, y), sent with the next flush.
    void put(const PixelRect& r, int x, int y) {
        pending_ = NextRequest(s_.display);
        s_.x.shm_put_image(s_.display, s_.window, s_.gc, image_, r.x, r.y, x, y, static_cast<unsigned>(r.w),
                           static_cast<unsigned>(r.h), False);
    }
    void flush() const { s_.x.flush(s_.display); }
    // Before the image is written again: the server reads it after a put returns, so wait until it
    // has done that request. Without a round trip when anything since (a reply, an event) says so;
    // images used in turn rarely need one.
    void wait() {
        if (pending_ && LastKnownRequestProcessed(s_.display) < pending_) s_.x.sync(s_.display, False);
        pending_ = 0;
    }

private:
    X11Screen::Impl& s_;
    XImage* image_ = nullptr;
    XShmSegmentInfo shm_{};
    int w_ = 0, h_ = 0;
    unsigned long pending_ = 0;  // the serial of the last put
};

}  // namespace

X11Screen::X11Screen() : impl_(std::make_unique<Impl>()) {}
X11Screen::~X11Screen() { release(); }

bool X11Screen::init(void* display, unsigned long window, std::string& why) {
    Impl& m = *impl_;
    if (!display || !window) {
        why = "no X window";
        return false;
    }
    if (!m.x.load(why)) return false;
    m.display = static_cast<Display*>(display);
    m.window = window;
    if (!m.x.shm_query(m.display)) {
        why = "the X server offers no MIT-SHM";
        return false;
    }
    XWindowAttributes a{};
    if (!m.x.window_attributes(m.display, m.window, &a) || !a.visual) {
        why = "cannot read the window's visual";
        return false;
    }
    // The GL back buffer is read as BGRA bytes: the window must hold them as they are.
    if (a.depth != 24 || a.visual->red_mask != 0xff0000 || a.visual->green_mask != 0xff00 || a.visual->blue_mask != 0xff) {
        why = "the window is not 24-bit BGRX";
        return false;
    }
    m.visual = a.visual;
    m.depth = a.depth;
    // A test image: the server must be able to attach our shared memory (not so on a remote display).
    if (!ShmImage(m).make(16, 1)) {
        why = "the X server cannot share memory with the kiosk";
        return false;
    }
    m.gc = m.x.create_gc(m.display, m.window, 0, nullptr);
    return m.gc != nullptr;
}

bool X11Screen::ready() const { return impl_->gc != nullptr; }

void X11Screen::release() {
    Impl& m = *impl_;
    if (m.gc) m.x.free_gc(m.display, m.gc);
    m.gc = nullptr;
}

// --- the crawl ---------------------------------------------------------------------------------

struct CrawlBlit::Impl {
    explicit Impl(X11Screen& s) : screen(s), images{ShmImage(s.impl()), ShmImage(s.impl()), ShmImage(s.impl())} {}
    X11Screen& screen;
    // The band in turn in three images: the one on screen (`cur`), the next composed from it while
    // the server may still be reading the last.
    std::array<ShmImage, 3> images;
    int cur = 0;
    ShmImage& image() { return images[static_cast<std::size_t>(cur)]; }
    PixelRect band;
    bool synced = false;
    int64_t at = 0;  // the offset the band shows

    // Columns GL drew ahead: what the band's last `chunk_w` columns show at offset chunk_at +
    // chunk_w, i.e. the columns a move from any offset in [chunk_at, chunk_at + chunk_w] brings in.
    std::vector<uint32_t> chunk;
    int chunk_w = 0;
    int64_t chunk_at = 0;
    bool chunk_ok = false;
};

CrawlBlit::CrawlBlit(X11Screen& screen) : impl_(std::make_unique<Impl>(screen)) {}
CrawlBlit::~CrawlBlit() = default;

void CrawlBlit::forget() { impl_->synced = false; }

void CrawlBlit::release() {
    for (ShmImage& i : impl_->images) i.release();
    impl_->synced = false;
}

void CrawlBlit::sync(const PixelRect& band, int64_t offset, int fb_h, bool fresh) {
    Impl& m = *impl_;
    if (!m.screen.ready()) return;
    if (fresh || !(band == m.band)) m.chunk_ok = false;
    if (band.empty() || band.y < 0 || band.x < 0 || band.y + band.h > fb_h) {
        m.synced = false;
        return;
    }
    if (!m.image().ok() || !(band == m.band)) {
        m.band = {};
        for (ShmImage& i : m.images)
            if (!i.make(band.w, band.h)) {
                m.synced = false;
                return;
            }
        m.band = band;
    }
    m.image().wait();
    read_back(band, fb_h, m.image().row(0), m.image().stride());
    m.at = offset;
    m.synced = true;
}

bool CrawlBlit::show(const PixelRect& band, int64_t offset, int fb_h, const DrawColumns& draw) {
    Impl& m = *impl_;
    if (!m.screen.ready() || !m.synced || !(band == m.band)) return false;
    const int64_t step = offset - m.at;
    const int w = std::min(kChunk, band.w);
    if (step <= 0 || step > w) return false;
    const int d = static_cast<int>(step);
    if (!m.chunk_ok || m.at < m.chunk_at || offset > m.chunk_at + m.chunk_w) {
        // The band's last w columns at offset at + w show what moving on from `at` brings in.
        draw(m.at + w, band.x + band.w - w, w);
        m.chunk.resize(static_cast<size_t>(w) * static_cast<size_t>(band.h));
        read_back({band.x + band.w - w, band.y, w, band.h}, fb_h, m.chunk.data(), static_cast<std::size_t>(w));
        m.chunk_w = w;
        m.chunk_at = m.at;
        m.chunk_ok = true;
        ++chunks_;
    }
    const size_t from = static_cast<size_t>(m.at - m.chunk_at);
    const ShmImage& shown = m.image();
    m.cur = (m.cur + 1) % static_cast<int>(m.images.size());
    ShmImage& next = m.image();
    next.wait();
    for (int y = 0; y < band.h; ++y) {
        uint32_t* row = next.row(y);
        std::memcpy(row, shown.row(y) + d, static_cast<size_t>(band.w - d) * 4);
        std::memcpy(row + band.w - d, m.chunk.data() + static_cast<size_t>(y) * static_cast<size_t>(m.chunk_w) + from,
                    static_cast<size_t>(d) * 4);
    }
    next.put({0, 0, band.w, band.h}, band.x, band.y);
    next.flush();
    m.at = offset;
    return true;
}

// --- a fade ------------------------------------------------------------------------------------

// Rows a fade moves through its shared image at a time: 96 rows of 1920 px are 720 KiB, kept (and
// so warm) from one fade to the next.
constexpr int kFadeRows = 96;

struct FadeBlit::Impl {
    explicit Impl(X11Screen& s) : screen(s), images{ShmImage(s.impl()), ShmImage(s.impl())} {}
    X11Screen& screen;
    std::array<ShmImage, 2> images;  // bands of rows as wide as the screen, used in turn
    bool ok() const { return images[0].ok() && images[1].ok(); }
    std::vector<uint32_t> flat;    // a row of the background

    // Each rectangle a band of rows at a time: read back from the kept frame into the shared
    // image, blended `w`/256 of the way to the background, put on screen.
    void blend(const std::vector<PixelRect>& rects, unsigned w, uint32_t bg, int fb_w, int fb_h) {
        for (ShmImage& i : images)
            if (!i.ok() || i.width() < fb_w) i.make(fb_w, kFadeRows);
        if (!ok()) return;
        flat.assign(static_cast<std::size_t>(fb_w), bg);
        std::size_t n = 0;
        for (const PixelRect& r : rects)
            for (int y = r.y; y < r.y + r.h; y += kFadeRows) {
                const PixelRect band{r.x, y, r.w, std::min(kFadeRows, r.y + r.h - y)};
                ShmImage& image = images[n++ % images.size()];
                image.wait();
                read_back(band, fb_h, image.row(0), image.stride());
                if (w)
                    for (int row = 0; row < band.h; ++row) lerp_bytes(image.row(row), flat.data(), band.w, w);
                image.put({0, 0, band.w, band.h}, band.x, band.y);
            }
        images[0].flush();  // the step's bands in as few writes as the images allow
    }
};

FadeBlit::FadeBlit(X11Screen& screen) : impl_(std::make_unique<Impl>(screen)) {}
FadeBlit::~FadeBlit() = default;

void FadeBlit::reset() {
    active_ = false;
    arrived_ = false;
    painted_.clear();
}

void FadeBlit::release() {
    reset();
    for (ShmImage& i : impl_->images) i.release();
}

bool FadeBlit::step(const std::vector<PixelRect>& leaving, float gone, float come, uint32_t bg, int fb_h,
                    const std::function<std::vector<PixelRect>()>& draw_end) {
    Impl& m = *impl_;
    if (!m.screen.ready()) return false;
    int fb_w = 0;
    auto inside = [&](std::vector<PixelRect> rects) {
        std::vector<PixelRect> out;
        for (const PixelRect& r : rects) {
            const int x0 = std::max(0, r.x), y0 = std::max(0, r.y), y1 = std::min(fb_h, r.y + r.h);
            if (r.x + r.w > x0 && y1 > y0) out.push_back({x0, y0, r.x + r.w - x0, y1 - y0});
        }
        return out;
    };
    for (const PixelRect& r : leaving) fb_w = std::max(fb_w, r.x + r.w);
    if (come <= 0) {
        // A step the eye cannot see (the eased fade's first, a 1 % change) is not worth its
        // pixels, as on the GL path (ui::draw_cards_over): the screen stays as it is.
        if (gone < 0.02f) return active_ = true;
        // The old cards, `gone` of the way to the background.
        m.blend(inside(leaving), static_cast<unsigned>(std::lround(256.0f * std::clamp(gone, 0.0f, 1.0f))), bg, fb_w, fb_h);
        return active_ = m.ok();
    }
    if (!arrived_) {
        painted_ = inside(draw_end());
        arrived_ = true;
        ++fades_;
    }
    for (const PixelRect& r : painted_) fb_w = std::max(fb_w, r.x + r.w);
    // The new cards, `come` of the way from the background (the old ones are gone by now).
    m.blend(painted_, static_cast<unsigned>(std::lround(256.0f * (1 - std::clamp(come, 0.0f, 1.0f)))), bg, fb_w, fb_h);
    return active_ = m.ok();
}

}  // namespace nk::platform
