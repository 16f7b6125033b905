// SPDX-License-Identifier: Apache-2.0
#include "platform/crawl_x11.h"

#include <GL/gl.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>

#include <dlfcn.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace nk::platform {
namespace {

// Columns drawn ahead through GL at a time: at the default 2 px a step, one chunk every 256
// frames (about 4 s); GL's fixed cost per draw (~0.3 ms) is then nothing next to the frames saved.
constexpr int kChunk = 512;

// The Xlib and Xext entry points used, from the libraries already in the process.
struct XLib {
    decltype(&XSync) sync = nullptr;
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
        if (get(x11, "XSync", sync) && get(x11, "XCreateGC", create_gc) && get(x11, "XFreeGC", free_gc) &&
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

struct CrawlBlit::Impl {
    XLib x;
    Display* display = nullptr;
    Window window = 0;
    Visual* visual = nullptr;
    int depth = 0;
    GC gc = nullptr;

    // The band as on screen, in shared memory.
    XImage* image = nullptr;
    XShmSegmentInfo shm{};
    PixelRect band;
    bool synced = false;
    int64_t at = 0;  // the offset the band shows

    // Columns GL drew ahead: they hold what the band's last `width` columns show at offset
    // chunk_at + width, i.e. the columns a move from any offset in [chunk_at, chunk_at + width] brings in.
    std::vector<uint32_t> chunk;
    int chunk_w = 0;
    int64_t chunk_at = 0;
    bool chunk_ok = false;
    uint64_t chunks = 0;
    std::vector<uint32_t> rows;  // glReadPixels' bottom-up rows

    ~Impl() { release(); }

    void release() {
        release_image();
        if (gc) x.free_gc(display, gc);
        gc = nullptr;
    }

    void release_image() {
        if (!image) return;
        x.shm_detach(display, &shm);
        x.sync(display, False);
        XDestroyImage(image);  // frees the XImage; the segment (already marked for removal) goes with the detach
        shmdt(shm.shmaddr);
        image = nullptr;
        synced = false;
    }

    bool make_image(int w, int h) {
        release_image();
        shm = {};
        image = x.shm_create_image(display, visual, static_cast<unsigned>(depth), ZPixmap, nullptr, &shm,
                                   static_cast<unsigned>(w), static_cast<unsigned>(h));
        if (!image) return false;
        if (image->bits_per_pixel != 32 || image->byte_order != LSBFirst) {
            XDestroyImage(image);
            image = nullptr;
            return false;
        }
        shm.shmid = shmget(IPC_PRIVATE, static_cast<size_t>(image->bytes_per_line) * static_cast<size_t>(h), IPC_CREAT | 0600);
        if (shm.shmid < 0) {
            XDestroyImage(image);
            image = nullptr;
            return false;
        }
        shm.shmaddr = image->data = static_cast<char*>(shmat(shm.shmid, nullptr, 0));
        shm.readOnly = False;
        bool ok = shm.shmaddr != reinterpret_cast<char*>(-1);
        if (ok) {
            x.sync(display, False);
            g_x_error = 0;
            auto previous = x.set_error_handler(note_x_error);
            x.shm_attach(display, &shm);
            x.sync(display, False);
            x.set_error_handler(previous);
            ok = g_x_error == 0;
        }
        // Marked for removal now: it goes when both sides detach, even if the kiosk is killed.
        shmctl(shm.shmid, IPC_RMID, nullptr);
        if (!ok) {
            if (shm.shmaddr != reinterpret_cast<char*>(-1)) shmdt(shm.shmaddr);
            image->data = nullptr;
            XDestroyImage(image);
            image = nullptr;
        }
        return ok;
    }

    uint32_t* image_row(int y) const {
        return reinterpret_cast<uint32_t*>(image->data + static_cast<std::ptrdiff_t>(y) * image->bytes_per_line);
    }

    // GL's back buffer, rows [r.y, r.y + r.h) from the top, columns [r.x, r.x + r.w), top row first.
    void read_back(const PixelRect& r, int fb_h, const std::function<void(int y, const uint32_t* row)>& take) {
        rows.resize(static_cast<size_t>(r.w) * static_cast<size_t>(r.h));
        glPixelStorei(GL_PACK_ALIGNMENT, 4);
        glReadBuffer(GL_BACK);
        glReadPixels(r.x, fb_h - r.y - r.h, r.w, r.h, GL_BGRA, GL_UNSIGNED_BYTE, rows.data());
        for (int y = 0; y < r.h; ++y) take(y, rows.data() + static_cast<size_t>(r.h - 1 - y) * static_cast<size_t>(r.w));
    }
};

CrawlBlit::CrawlBlit() : impl_(std::make_unique<Impl>()) {}
CrawlBlit::~CrawlBlit() = default;

bool CrawlBlit::init(void* display, unsigned long window, std::string& why) {
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
    if (!m.make_image(16, 1)) {
        why = "the X server cannot share memory with the kiosk";
        return false;
    }
    m.release_image();
    m.gc = m.x.create_gc(m.display, m.window, 0, nullptr);
    return m.gc != nullptr;
}

bool CrawlBlit::ready() const { return impl_->gc != nullptr; }

void CrawlBlit::release() { impl_->release(); }

uint64_t CrawlBlit::chunks() const { return impl_->chunks; }

void CrawlBlit::forget() { impl_->synced = false; }

void CrawlBlit::sync(const PixelRect& band, int64_t offset, int fb_h, bool fresh) {
    Impl& m = *impl_;
    if (!ready()) return;
    if (fresh || !(band == m.band)) m.chunk_ok = false;
    if (band.empty() || band.y < 0 || band.x < 0 || band.y + band.h > fb_h) {
        m.synced = false;
        return;
    }
    if (!m.image || !(band == m.band)) {
        if (!m.make_image(band.w, band.h)) {
            m.synced = false;
            return;
        }
        m.band = band;
    }
    m.read_back(band, fb_h, [&](int y, const uint32_t* row) {
        std::memcpy(m.image_row(y), row, static_cast<size_t>(band.w) * 4);
    });
    m.at = offset;
    m.synced = true;
}

bool CrawlBlit::show(const PixelRect& band, int64_t offset, int fb_h, const DrawColumns& draw) {
    Impl& m = *impl_;
    if (!ready() || !m.synced || !(band == m.band)) return false;
    const int64_t step = offset - m.at;
    const int w = std::min(kChunk, band.w);
    if (step <= 0 || step > w) return false;
    const int d = static_cast<int>(step);
    if (!m.chunk_ok || m.at < m.chunk_at || offset > m.chunk_at + m.chunk_w) {
        // The band's last w columns at offset at + w show what moving on from `at` brings in.
        draw(m.at + w, band.x + band.w - w, w);
        m.chunk.resize(static_cast<size_t>(w) * static_cast<size_t>(band.h));
        m.read_back({band.x + band.w - w, band.y, w, band.h}, fb_h, [&](int y, const uint32_t* row) {
            std::memcpy(m.chunk.data() + static_cast<size_t>(y) * static_cast<size_t>(w), row, static_cast<size_t>(w) * 4);
        });
        m.chunk_w = w;
        m.chunk_at = m.at;
        m.chunk_ok = true;
        ++m.chunks;
    }
    const size_t from = static_cast<size_t>(m.at - m.chunk_at);
    for (int y = 0; y < band.h; ++y) {
        uint32_t* row = m.image_row(y);
        std::memmove(row, row + d, static_cast<size_t>(band.w - d) * 4);
        std::memcpy(row + band.w - d, m.chunk.data() + static_cast<size_t>(y) * static_cast<size_t>(m.chunk_w) + from,
                    static_cast<size_t>(d) * 4);
    }
    m.x.shm_put_image(m.display, m.window, m.gc, m.image, 0, 0, band.x, band.y, static_cast<unsigned>(band.w),
                      static_cast<unsigned>(band.h), False);
    // The server reads the shared image after this returns: the next frame must not write it before.
    m.x.sync(m.display, False);
    m.at = offset;
    return true;
}

}  // namespace nk::platform
