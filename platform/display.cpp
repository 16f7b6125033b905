// SPDX-License-Identifier: Apache-2.0
#include "platform/display.h"

#include "app/kiosk.h"
#include "platform/x11_shm.h"
#include "app/log.h"

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl2.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <GLFW/glfw3.h>
#include <GL/glext.h>

#include <dlfcn.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <set>
#include <vector>

// GLFW 3.3's Wayland build loads a cursor theme only when the seat has a pointer at glfwInit, and
// its glfwCreateStandardCursor then dereferences the missing theme. A kiosk has no mouse, and
// cage offers no pointer without one, so ImGui's GLFW backend, which creates its standard cursors
// in ImGui_ImplGlfw_Init, crashed the kiosk at every start under cage. This definition in the
// executable takes the place of GLFW's for that backend (linked statically from libimgui.a): on
// Wayland there are no standard cursors (the backend falls back to the default one, and full
// screen hides it anyway); on X11 GLFW's own function runs.
namespace {
// GLFW 3.3 is built for one window system: Debian's libglfw3 is X11, libglfw3-wayland Wayland.
bool glfw_is_wayland() {
    static const bool wayland = std::strstr(glfwGetVersionString(), "Wayland") != nullptr;
    return wayland;
}
}  // namespace

extern "C" GLFWcursor* glfwCreateStandardCursor(int shape) {
    using Create = GLFWcursor* (*)(int);
    static const Create glfw_create = reinterpret_cast<Create>(dlsym(RTLD_NEXT, "glfwCreateStandardCursor"));
    if (glfw_is_wayland() || !glfw_create) return nullptr;
    return glfw_create(shape);
}

namespace nk::platform {
namespace {

using app::log_line;
using app::steady_now;
using app::wall_now;

double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void on_glfw_error(int code, const char* what) {
    log_line("glfw: error " + std::to_string(code) + ": " + (what ? what : "?"));
}

// Scissored clears queued in a draw list: the callback runs in the list's order, so a strip's
// background is cleared between whatever was drawn before it and its text.
struct Fill {
    ui::Rect rect;
    ImU32 color;
};
std::vector<Fill> g_fills;  // this frame's; indexes travel as callback data
int g_framebuffer_w = 0, g_framebuffer_h = 0;
PFNGLUSEPROGRAMPROC g_use_program = nullptr;  // GL 2.0: looked up once the context is current

void fill_callback(const ImDrawList*, const ImDrawCmd* cmd) {
    const Fill& f = g_fills[static_cast<size_t>(reinterpret_cast<intptr_t>(cmd->UserCallbackData))];
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(f.color);
    glEnable(GL_SCISSOR_TEST);  // the backend sets its own scissor again for the next command
    glScissor(static_cast<GLint>(f.rect.x), static_cast<GLint>(static_cast<float>(g_framebuffer_h) - f.rect.bottom()),
              static_cast<GLsizei>(f.rect.w), static_cast<GLsizei>(f.rect.h));
    if (c.w >= 1 || !g_use_program) {
        glClearColor(c.x, c.y, c.z, 1);
        glClear(GL_COLOR_BUFFER_BIT);
        return;
    }
    // A translucent fill (a fade's step): a flat quad through the fixed-function pipeline of the
    // compatibility context, blended as the backend set it up. ImGui's own shader samples its font
    // texture for every pixel, which on Mesa's software rasteriser costs twice as much per pixel.
    GLint program = 0;
    glGetIntegerv(GL_CURRENT_PROGRAM, &program);
    GLboolean textured = glIsEnabled(GL_TEXTURE_2D);
    if (program) g_use_program(0);
    if (textured) glDisable(GL_TEXTURE_2D);
    glMatrixMode(GL_PROJECTION);
    glPushMatrix();
    glLoadIdentity();
    glOrtho(0, g_framebuffer_w, g_framebuffer_h, 0, -1, 1);
    glMatrixMode(GL_MODELVIEW);
    glPushMatrix();
    glLoadIdentity();
    glColor4f(c.x, c.y, c.z, c.w);
    glBegin(GL_QUADS);
    glVertex2f(f.rect.x, f.rect.y);
    glVertex2f(f.rect.right(), f.rect.y);
    glVertex2f(f.rect.right(), f.rect.bottom());
    glVertex2f(f.rect.x, f.rect.bottom());
    glEnd();
    glPopMatrix();
    glMatrixMode(GL_PROJECTION);
    glPopMatrix();
    glMatrixMode(GL_MODELVIEW);
    if (textured) glEnable(GL_TEXTURE_2D);
    if (program) g_use_program(static_cast<GLuint>(program));
}

void gl_fill(ImDrawList* dl, const ui::Rect& rect, ImU32 color) {
    g_fills.push_back({rect, color});
    dl->AddCallback(fill_callback, reinterpret_cast<void*>(static_cast<intptr_t>(g_fills.size() - 1)));
}


// One texture of `format` pixels (stored as `internal`, default the same), clamped; `filter`
// GL_LINEAR for pictures (scaled), GL_NEAREST for text (drawn texel for texel). 0 on failure.
GLuint new_texture(GLenum format, int w, int h, const unsigned char* pixels, GLint filter = GL_LINEAR, GLenum internal = 0) {
    GLuint tex = 0;
    glGenTextures(1, &tex);
    if (!tex) return 0;
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(internal ? internal : format), w, h, 0, format, GL_UNSIGNED_BYTE, pixels);
    return tex;
}

class GlTextures : public app::TextureApi {
    enum class Alpha { unknown, alpha, red, luminance_alpha, rgba };
    Alpha alpha_ = Alpha::unknown;
    bool fixed_function_ = false;

    // One byte a pixel. The fixed-function pipeline (the opengl2 backend) modulates an ALPHA texture
    // to (Cf, Af * A): the tint, exactly. Shaders sample ALPHA as (0, 0, 0, A), so there a red
    // channel is sampled as (1, 1, 1, R) where the driver can (GL 3.0's R8 with texture swizzle, GL
    // 3.3 or ARB/EXT_texture_swizzle: Mesa's, the Pi's V3D); texture environments ignore swizzles,
    // which is why the two differ. Else two bytes: luminance + alpha samples as (L, L, L, A) in GL 2.1
    // and compatibility contexts (the kiosk asks for no core profile). Asked on the first text block,
    // when the context is current.
    Alpha alpha_kind() {
        if (alpha_ != Alpha::unknown) return alpha_;
        if (fixed_function_) return alpha_ = Alpha::alpha;
        int major = 0, minor = 0;
        if (const auto* v = reinterpret_cast<const char*>(glGetString(GL_VERSION))) std::sscanf(v, "%d.%d", &major, &minor);
        const bool rg = major >= 3 || glfwExtensionSupported("GL_ARB_texture_rg");
        const bool swizzle = major > 3 || (major == 3 && minor >= 3) || glfwExtensionSupported("GL_ARB_texture_swizzle") ||
                             glfwExtensionSupported("GL_EXT_texture_swizzle");
        alpha_ = rg && swizzle ? Alpha::red : Alpha::luminance_alpha;
        return alpha_;
    }

    // A texture of `format` the driver may refuse: 0 (and no GL error left behind) if it did.
    GLuint try_texture(GLenum internal, GLenum format, int w, int h, const unsigned char* pixels) {
        while (glGetError() != GL_NO_ERROR) {
        }
        GLuint tex = new_texture(format, w, h, pixels, GL_NEAREST, internal);
        if (tex && glGetError() != GL_NO_ERROR) {
            glDeleteTextures(1, &tex);
            return 0;
        }
        return tex;
    }

public:
    // The opengl2 backend draws (before any text is uploaded).
    void set_fixed_function(bool on) { fixed_function_ = on; }
    ui::FillFn fill() const override { return gl_fill; }
    ImTextureID upload(const unsigned char* rgba, int w, int h) override {
        const GLuint tex = new_texture(GL_RGBA, w, h, rgba);
        return tex ? reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex)) : nullptr;
    }
    ImTextureID upload_text(const unsigned char* rgba, int w, int h) override {
        const GLuint tex = new_texture(GL_RGBA, w, h, rgba, GL_NEAREST);
        return tex ? reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex)) : nullptr;
    }
    int alpha_bytes_per_pixel() const override {
        return alpha_ == Alpha::luminance_alpha ? 2 : alpha_ == Alpha::rgba ? 4 : 1;
    }
    // Text blocks: a quarter (or half) the memory of RGBA; a driver that refuses a format gets the next.
    ImTextureID upload_alpha(const unsigned char* a, int w, int h) override {
        GLuint tex = 0;
        if (alpha_kind() == Alpha::alpha && !(tex = try_texture(GL_ALPHA, GL_ALPHA, w, h, a))) {
            alpha_ = Alpha::luminance_alpha;
            log_line("display: the driver refused a one-byte (alpha) texture; text uses luminance-alpha");
        }
        if (alpha_ == Alpha::red) {
            tex = try_texture(GL_R8, GL_RED, w, h, a);
            if (tex) {
                // R8 without the swizzle would draw every block as a solid box: fall back.
                const GLint one_one_one_red[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
                glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, one_one_one_red);
                if (glGetError() != GL_NO_ERROR) {
                    glDeleteTextures(1, &tex);
                    tex = 0;
                }
            }
            if (!tex) {
                alpha_ = Alpha::luminance_alpha;
                log_line("display: the driver refused a one-byte (R8) texture; text uses luminance-alpha");
            }
        }
        if (alpha_ == Alpha::luminance_alpha) {
            std::vector<unsigned char> la(static_cast<size_t>(w) * static_cast<size_t>(h) * 2, 255);
            for (size_t i = 0, n = static_cast<size_t>(w) * static_cast<size_t>(h); i < n; ++i) la[i * 2 + 1] = a[i];
            tex = try_texture(GL_LUMINANCE_ALPHA, GL_LUMINANCE_ALPHA, w, h, la.data());
            if (!tex) {
                alpha_ = Alpha::rgba;
                log_line("display: the driver refused a luminance-alpha texture; text uses RGBA");
            }
        }
        if (alpha_ == Alpha::rgba) return TextureSink::upload_alpha(a, w, h);
        return tex ? reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex)) : nullptr;
    }
    void release(ImTextureID id) override {
        GLuint tex = static_cast<GLuint>(reinterpret_cast<intptr_t>(id));
        glDeleteTextures(1, &tex);
    }
};

// Whether the back buffer keeps its pixels across a swap (copy-swap, as Mesa's software
// rasteriser under X does), so a frame may repaint only the strip that moved. Flipping or
// discarding platforms (most GPUs, EGL's default) fail the probe and get full frames.
bool back_buffer_preserved(GLFWwindow* w) {
    const float colours[2][3] = {{1, 0, 0}, {0, 0, 1}};
    for (int round = 0; round < 2; ++round) {
        for (const auto& c : colours) {
            glClearColor(c[0], c[1], c[2], 1);
            glClear(GL_COLOR_BUFFER_BIT);
            glfwSwapBuffers(w);
        }
        unsigned char px[4] = {};
        glReadBuffer(GL_BACK);
        glReadPixels(0, 0, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, px);
        if (!(px[0] < 8 && px[2] > 247)) return false;
    }
    return true;
}

// GLX_MESA_copy_sub_buffer: puts one rectangle of the back buffer on screen, where a swap copies
// the whole 1920x1080 frame (Mesa's software rasteriser under X: its per-frame cost for a ticker
// strip). Looked up through GLFW, so no X11 header or GLX link is needed, and absent on Wayland.
class SubBufferCopy {
public:
    bool init() {
        if (glfw_is_wayland() || !glfwExtensionSupported("GLX_MESA_copy_sub_buffer")) return false;
        auto display = reinterpret_cast<void* (*)()>(glfwGetProcAddress("glXGetCurrentDisplay"));
        auto drawable = reinterpret_cast<unsigned long (*)()>(glfwGetProcAddress("glXGetCurrentDrawable"));
        copy_ = reinterpret_cast<Copy>(glfwGetProcAddress("glXCopySubBufferMESA"));
        if (!display || !drawable || !copy_) return false;
        display_ = display();
        drawable_ = drawable();
        return display_ && drawable_;
    }
    bool ready() const { return copy_ && display_ && drawable_; }
    // `r` in framebuffer pixels from the top left; GLX counts from the bottom left.
    void copy(const ui::Rect& r, int fb_h) const {
        const int x = std::max(0, static_cast<int>(std::floor(r.x))), top = std::max(0, static_cast<int>(std::floor(r.y)));
        const int w = static_cast<int>(std::ceil(r.right())) - x, h = static_cast<int>(std::ceil(r.bottom())) - top;
        if (w > 0 && h > 0) copy_(display_, drawable_, x, fb_h - top - h, w, h);
    }

    // Several rectangles (a cards-only frame's): each alone while they are few, else the one
    // rectangle holding them all, so a frame does not pay a round trip per text line.
    void copy_all(const std::vector<ui::Rect>& rects, int fb_h) const {
        if (rects.size() <= 4) {
            for (const ui::Rect& r : rects) copy(r, fb_h);
            return;
        }
        ui::Rect all;
        for (const ui::Rect& r : rects) all = ui::united(all, r);
        copy(all, fb_h);
    }

private:
    using Copy = void (*)(void*, unsigned long, int, int, int, int);
    Copy copy_ = nullptr;
    void* display_ = nullptr;
    unsigned long drawable_ = 0;
};

// The static layer kept in a texture, for platforms that do not keep the back buffer (GPU drivers,
// Wayland/EGL): a frame where only the ticker moves draws that texture (one quad, no text) and the
// strip, instead of the whole scene. Framebuffer objects are core in GL 3 and an extension in 2.1
// (vc4 has it), so the entry points are looked up at run time.
class Layer {
public:
    bool init() {
        bool core = glfwExtensionSupported("GL_ARB_framebuffer_object");
        const char* sfx = core ? "" : "EXT";
        if (!core && !glfwExtensionSupported("GL_EXT_framebuffer_object")) return false;
        auto get = [&](const char* name) { return glfwGetProcAddress((std::string(name) + sfx).c_str()); };
        gen_ = reinterpret_cast<PFNGLGENFRAMEBUFFERSPROC>(get("glGenFramebuffers"));
        del_ = reinterpret_cast<PFNGLDELETEFRAMEBUFFERSPROC>(get("glDeleteFramebuffers"));
        bind_ = reinterpret_cast<PFNGLBINDFRAMEBUFFERPROC>(get("glBindFramebuffer"));
        attach_ = reinterpret_cast<PFNGLFRAMEBUFFERTEXTURE2DPROC>(get("glFramebufferTexture2D"));
        status_ = reinterpret_cast<PFNGLCHECKFRAMEBUFFERSTATUSPROC>(get("glCheckFramebufferStatus"));
        return gen_ && del_ && bind_ && attach_ && status_;
    }
    ~Layer() { release(); }
    // (Re)creates the target at the framebuffer's size; false if the driver refuses it.
    bool resize(int w, int h) {
        if (w == w_ && h == h_ && fbo_) return true;
        release();
        glGenTextures(1, &tex_);
        glBindTexture(GL_TEXTURE_2D, tex_);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
        gen_(1, &fbo_);
        bind_(GL_FRAMEBUFFER, fbo_);
        attach_(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex_, 0);
        bool ok = status_(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
        bind_(GL_FRAMEBUFFER, 0);
        if (!ok) release();
        w_ = w;
        h_ = h;
        return ok;
    }
    void begin() { bind_(GL_FRAMEBUFFER, fbo_); }
    void end() { bind_(GL_FRAMEBUFFER, 0); }
    ImTextureID texture() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex_)); }
    void release() {
        if (fbo_) del_(1, &fbo_);
        if (tex_) glDeleteTextures(1, &tex_);
        fbo_ = tex_ = 0;
    }

private:
    PFNGLGENFRAMEBUFFERSPROC gen_ = nullptr;
    PFNGLDELETEFRAMEBUFFERSPROC del_ = nullptr;
    PFNGLBINDFRAMEBUFFERPROC bind_ = nullptr;
    PFNGLFRAMEBUFFERTEXTURE2DPROC attach_ = nullptr;
    PFNGLCHECKFRAMEBUFFERSTATUSPROC status_ = nullptr;
    GLuint fbo_ = 0, tex_ = 0;
    int w_ = 0, h_ = 0;
};

// The layer is opaque where it matters, but the GL2 backend's blending lowers alpha at text edges:
// copy it without blending. (Not ImDrawCallback_ResetRenderState: the GL2 backend pushes matrices
// there that it pops only once per frame.)
void blend_off(const ImDrawList*, const ImDrawCmd*) { glDisable(GL_BLEND); }
void blend_on(const ImDrawList*, const ImDrawCmd*) { glEnable(GL_BLEND); }

// One list of this frame's draw data, rendered alone.
ImDrawData only(const ImDrawData& all, ImDrawList** list) {
    ImDrawData d = all;
    d.CmdLists = list;
    d.CmdListsCount = 1;
    d.TotalVtxCount = (*list)->VtxBuffer.Size;
    d.TotalIdxCount = (*list)->IdxBuffer.Size;
    return d;
}

bool write_png(const std::string& path, int w, int h) {
    std::vector<unsigned char> rgba(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    // GL rows run bottom-up; alpha differs between the GL2 and GL3 backends, so drop it.
    std::vector<unsigned char> rgb(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                rgb[(static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 3 + static_cast<size_t>(c)] =
                    rgba[(static_cast<size_t>(h - 1 - y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 4 + static_cast<size_t>(c)];
    return stbi_write_png(path.c_str(), w, h, 3, rgb.data(), w * 3) != 0;
}

// The back buffer as PNG bytes, for the fleet's screenshot command (the same pixels write_png writes).
std::string png_bytes(int w, int h) {
    std::vector<unsigned char> rgba(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    // GL rows run bottom-up; alpha differs between the GL2 and GL3 backends, so it is dropped.
    std::vector<unsigned char> rgb(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    for (size_t y = 0; y < static_cast<size_t>(h); ++y)
        for (size_t x = 0; x < static_cast<size_t>(w); ++x)
            std::memcpy(&rgb[(y * static_cast<size_t>(w) + x) * 3], &rgba[((static_cast<size_t>(h) - 1 - y) * static_cast<size_t>(w) + x) * 4], 3);
    std::string out;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<size_t>(size)); };
    stbi_write_png_to_func(append, &out, w, h, 3, rgb.data(), w * 3);
    return out;
}

GLFWmonitor* pick_monitor(const std::string& want) {
    int n = 0;
    GLFWmonitor** all = glfwGetMonitors(&n);
    if (n <= 0) return nullptr;
    if (want.empty()) return glfwGetPrimaryMonitor();
    bool index = !want.empty() && want.find_first_not_of("0123456789") == std::string::npos;
    for (int i = 0; i < n; ++i) {
        const char* name = glfwGetMonitorName(all[i]);
        if ((index && std::to_string(i) == want) || (!index && name && want == name)) return all[i];
    }
    std::string names;
    for (int i = 0; i < n; ++i) names += (i ? ", " : "") + std::to_string(i) + " " + glfwGetMonitorName(all[i]);
    log_line("display: no monitor \"" + want + "\" (have: " + names + "); using the primary");
    return glfwGetPrimaryMonitor();
}

enum class Redraw { Preserved, Layer, Whole };

struct Loop {
    GLFWwindow* window = nullptr;
    app::Kiosk* kiosk = nullptr;
    app::App* app = nullptr;
    bool screen_off = false;
    bool gl3 = false;
    Redraw redraw = Redraw::Whole;
    Layer layer;
    SubBufferCopy sub;                   // Preserved only: partial frames put only their rectangle on screen
    X11Screen x11;                       // Preserved with sub only: frames moved or blended without GL
    CrawlBlit crawl{x11};
    FadeBlit fade{x11};
    int win_w = 0, win_h = 0, fb_w = 0, fb_h = 0;  // from the size callbacks: no X round trip per frame
    double last_frame = 0;
    bool fullscreen = false;             // now
    bool want_fullscreen = false;        // not --windowed: full screen whenever a monitor is there
    bool force_full = true;
    double press_at = -1;
    float press_x = 0;
    std::set<GLenum> gl_errors_seen;
    uint64_t frames = 0, full_frames = 0, cards_frames = 0;  // cards_frames: the full ones drawn cards-only
    uint64_t crawl_frames = 0, fade_frames = 0;  // put on screen by `crawl` or `fade`, not GL (not in frames)
    // Process CPU seconds per kind of frame (llvmpipe's threads too); a fade's first CPU step
    // includes GL's draw of its last frame.
    double cpu_full = 0, cpu_dynamic = 0, cpu_cards = 0, cpu_crawl = 0, cpu_fade = 0;

    void draw_data(ImDrawData* d) {
        if (gl3) ImGui_ImplOpenGL3_RenderDrawData(d);
        else ImGui_ImplOpenGL2_RenderDrawData(d);
    }

    // full: the static layer changed. Preserved: a full frame clears and draws everything, a
    // dynamic one draws only the strip over what is there. Layer: the static part goes to the
    // texture when it changed; every frame draws that texture plus the strip. Whole: everything.
    // Clears the static layer's target where it will be redrawn, to the theme's background.
    void clear(int fh, const ui::Rect* damage) {
        ImVec4 bg = ImGui::ColorConvertU32ToFloat4(kiosk->background());
        glClearColor(bg.x, bg.y, bg.z, 1);
        if (damage) {
            glEnable(GL_SCISSOR_TEST);
            glScissor(static_cast<GLint>(damage->x), static_cast<GLint>(static_cast<float>(fh) - damage->bottom()),
                      static_cast<GLsizei>(damage->w), static_cast<GLsizei>(damage->h));
        }
        glClear(GL_COLOR_BUFFER_BIT);
        glDisable(GL_SCISSOR_TEST);
    }

    void begin_frame(double t) {
        if (gl3) ImGui_ImplOpenGL3_NewFrame();
        else ImGui_ImplOpenGL2_NewFrame();
        // Not ImGui_ImplGlfw_NewFrame: it asks the X server for the window's size twice, the pointer
        // and the focus on every frame (four round trips), for input the kiosk does not take
        // through ImGui. The sizes come from GLFW's callbacks instead.
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = {static_cast<float>(win_w), static_cast<float>(win_h)};
        if (win_w > 0 && win_h > 0)
            io.DisplayFramebufferScale = {static_cast<float>(fb_w) / static_cast<float>(win_w),
                                          static_cast<float>(fb_h) / static_cast<float>(win_h)};
        io.DeltaTime = static_cast<float>(std::max(1e-4, t - last_frame));
        last_frame = t;
        ImGui::NewFrame();
        g_framebuffer_h = fb_h;
        g_framebuffer_w = fb_w;
        g_fills.clear();
    }

    void note_gl_errors() {
        for (GLenum e; (e = glGetError()) != GL_NO_ERROR;)
            if (gl_errors_seen.insert(e).second) log_line("display: GL error 0x" + [&] {
                char b[16];
                std::snprintf(b, sizeof b, "%04x", e);
                return std::string(b);
            }());
    }

    // Crawl-only frames and fades go on screen through `crawl` and `fade` (CPU and shared memory)
    // rather than GL.
    bool blit() const { return redraw == Redraw::Preserved && sub.ready() && x11.ready(); }

    // The crawl at `offset`, only columns [x, x + w) of its rows, into the back buffer: columns
    // for `crawl` to read back. Not shown: the next GL frame paints the crawl's rows over them.
    void render_crawl(double t, int64_t offset, int x, int w) {
        begin_frame(t);
        kiosk->draw_crawl(t, ImGui::GetForegroundDrawList(), offset, static_cast<float>(x), static_cast<float>(w));
        ImGui::Render();
        glViewport(0, 0, fb_w, fb_h);
        draw_data(ImGui::GetDrawData());
        note_gl_errors();
    }

    // cards_only (a plan's): the static layer is the cards alone, over the kept frame (no clear),
    // where the redraw mode keeps a frame to draw over. Returns whether the frame was drawn so.
    // dynamic: also the moving parts (a frame for the screen); without, only the static layer into
    // the back buffer (a fade's last frame drawn ahead), not counted as a frame.
    bool render(double t, bool full, std::optional<ui::Rect> damage = std::nullopt, bool cards_only = false, bool dynamic = true) {
        begin_frame(t);
        const int fw = fb_w, fh = fb_h;
        if (redraw == Redraw::Layer && !layer.resize(fw, fh)) {
            log_line("display: the driver refused a framebuffer object; drawing whole frames");
            redraw = Redraw::Whole;
        }
        if (redraw == Redraw::Whole) full = true;
        if (redraw == Redraw::Whole || !full) damage.reset();
        if (redraw == Redraw::Whole || !full || damage) cards_only = false;
        const ui::Rect* dmg = damage ? &*damage : nullptr;
        ImDrawList* fg = ImGui::GetForegroundDrawList();
        if (redraw == Redraw::Layer) {
            fg->AddCallback(blend_off, nullptr);
            fg->AddImage(layer.texture(), {0, 0}, {static_cast<float>(fw), static_cast<float>(fh)}, {0, 1}, {1, 0});
            fg->AddCallback(blend_on, nullptr);
        }
        ImDrawList* bg = full ? ImGui::GetBackgroundDrawList() : nullptr;
        kiosk->draw(t, bg, dynamic ? fg : nullptr, dmg, redraw == Redraw::Preserved, cards_only);
        ImGui::Render();
        glViewport(0, 0, fw, fh);
        if (redraw == Redraw::Layer) {
            if (full) {
                layer.begin();
                if (!cards_only) clear(fh, dmg);
                ImDrawData d = only(*ImGui::GetDrawData(), &bg);
                draw_data(&d);
                layer.end();
            }
            ImDrawData d = only(*ImGui::GetDrawData(), &fg);
            draw_data(&d);
        } else {
            if (full && !cards_only) clear(fh, dmg);
            draw_data(ImGui::GetDrawData());
        }
        note_gl_errors();
        if (!dynamic) return cards_only;
        ++frames;
        if (full) ++full_frames;
        if (cards_only) ++cards_frames;
        return cards_only;
    }
};

// The whole pixels a rectangle touches.
PixelRect pixels(const ui::Rect& r) {
    const int x = static_cast<int>(std::floor(r.x)), y = static_cast<int>(std::floor(r.y));
    return {x, y, static_cast<int>(std::ceil(r.right())) - x, static_cast<int>(std::ceil(r.bottom())) - y};
}

Loop* loop_of(GLFWwindow* w) { return static_cast<Loop*>(glfwGetWindowUserPointer(w)); }

void on_key(GLFWwindow* w, int key, int, int action, int) {
    if (action != GLFW_PRESS) return;
    Loop* l = loop_of(w);
    double t = steady_now();
    int64_t wall = wall_now();
    switch (key) {
    case GLFW_KEY_RIGHT: l->kiosk->key(app::Key::Next, t, wall); break;
    case GLFW_KEY_LEFT: l->kiosk->key(app::Key::Previous, t, wall); break;
    case GLFW_KEY_SPACE: l->kiosk->key(app::Key::Pause, t, wall); break;
    case GLFW_KEY_R: l->kiosk->key(app::Key::Reload, t, wall); break;
    case GLFW_KEY_S: l->kiosk->key(app::Key::Status, t, wall); break;
    case GLFW_KEY_ESCAPE:
    case GLFW_KEY_Q:
        // A lobby keyboard (or a cat) must not close the full-screen kiosk.
        if (!l->want_fullscreen) glfwSetWindowShouldClose(w, GLFW_TRUE);
        break;
    default: break;
    }
}

void on_mouse(GLFWwindow* w, int button, int action, int) {
    if (button != GLFW_MOUSE_BUTTON_LEFT) return;
    Loop* l = loop_of(w);
    double x = 0, y = 0;
    glfwGetCursorPos(w, &x, &y);
    if (action == GLFW_PRESS) {
        l->press_at = steady_now();
        l->press_x = static_cast<float>(x);
    } else if (action == GLFW_RELEASE && l->press_at >= 0) {
        int ww = 0, wh = 0, fw = 0, fh = 0;
        glfwGetWindowSize(w, &ww, &wh);
        glfwGetFramebufferSize(w, &fw, &fh);
        float scale = ww > 0 ? static_cast<float>(fw) / static_cast<float>(ww) : 1.0f;
        l->kiosk->tap(l->press_x * scale, steady_now() - l->press_at, steady_now(), wall_now());
        l->press_at = -1;
    }
}

void on_framebuffer_size(GLFWwindow* w, int width, int height) {
    Loop* l = loop_of(w);
    l->fb_w = width;
    l->fb_h = height;
    l->kiosk->set_size(static_cast<float>(width), static_cast<float>(height));
    l->force_full = true;
}

void on_window_size(GLFWwindow* w, int width, int height) {
    Loop* l = loop_of(w);
    l->win_w = width;
    l->win_h = height;
    l->force_full = true;
}

void on_refresh(GLFWwindow* w) { loop_of(w)->force_full = true; }

GLFWwindow* g_window = nullptr;
std::string g_monitor_choice;

// A TV switched off or unplugged takes its monitor away; keep running windowed and go back to
// full screen when a monitor returns.
void on_monitor(GLFWmonitor*, int) {
    if (!g_window) return;
    Loop* l = loop_of(g_window);
    if (!l->want_fullscreen) return;
    GLFWmonitor* m = pick_monitor(g_monitor_choice);
    if (!m) {
        if (l->fullscreen) glfwSetWindowMonitor(g_window, nullptr, 0, 0, 1280, 720, GLFW_DONT_CARE);
        l->fullscreen = false;
        log_line("display: no monitor; running windowed");
        return;
    }
    l->fullscreen = true;
    glfwSetInputMode(g_window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    const GLFWvidmode* mode = glfwGetVideoMode(m);
    glfwSetWindowMonitor(g_window, m, 0, 0, mode->width, mode->height, mode->refreshRate);
    log_line(std::string("display: full screen on ") + glfwGetMonitorName(m) + " " + std::to_string(mode->width) + "x" +
             std::to_string(mode->height));
    l->force_full = true;
}

// The window, its GL context and the frame loop's drawing state; the loop itself is the App's.
class DisplayPlatform : public app::Platform {
public:
    explicit DisplayPlatform(DisplayOptions options) : opt_(std::move(options)), screenshot_(!opt_.screenshot.empty()) {}
    ~DisplayPlatform() override { shut_down(); }

    std::string_view mode() const override { return "display"; }

    // glfwPostEmptyEvent before glfwInit (a reply arriving while the window opens) is an error.
    void wake() override {
        if (glfw_up_.load()) glfwPostEmptyEvent();
    }

    bool open(app::App& app) override;
    void present(app::App& app, double t, int64_t wall, bool screen_on) override;
    double next_turn(double t) const override;
    bool fade_step(app::Kiosk& k, double t);

    void wait(double seconds) override {
        if (seconds > 0) glfwWaitEventsTimeout(seconds);
        else glfwPollEvents();
    }

    bool finished() const override { return done_ || (window_ && glfwWindowShouldClose(window_)); }
    bool has_screen() const override { return !screenshot_; }
    bool shown() const override { return loop_.frames > 0; }
    uint64_t frames() const override { return loop_.frames; }
    int close(app::App& app) override;

    // A whole frame drawn now into the back buffer and read back; the next turn draws and shows a
    // whole frame again, so nothing of this one is left half-presented.
    Result<std::string> screenshot_png() override {
        if (!window_ || !kiosk_) return Error{ErrorCode::Unsupported, "the window is not open yet"};
        loop_.render(app::steady_now(), true, std::nullopt);
        int fw = 0, fh = 0;
        glfwGetFramebufferSize(window_, &fw, &fh);
        std::string png = png_bytes(fw, fh);
        loop_.force_full = true;
        if (png.empty()) return Error{ErrorCode::Io, "cannot encode the screen as PNG"};
        return png;
    }

private:
    void shut_down();

    DisplayOptions opt_;
    const bool screenshot_;
    std::atomic<bool> glfw_up_{false};
    GLFWwindow* window_ = nullptr;
    GlTextures textures_;
    std::unique_ptr<app::Kiosk> kiosk_;
    Loop loop_;
    bool imgui_ = false;
    double t0_ = 0;
    double shot_deadline_ = -1;
    double next_turn_ = 0;
    bool done_ = false;
    int rc_ = 0;
};

bool DisplayPlatform::open(app::App& app) {
    glfwSetErrorCallback(on_glfw_error);
    // Mesa's software rasteriser (llvmpipe: VMs, boards without a GPU driver) shares each frame
    // between worker threads and wakes and joins them every frame. The kiosk's frames are a ticker
    // strip or a fade step, where that costs more CPU than it saves (a quarter of the total with
    // the ticker on); one thread still draws a full 1080p frame in about 15 ms. Set before glfwInit,
    // which creates the driver's screen; a value in the environment wins. No effect on GPU drivers.
    setenv("LP_NUM_THREADS", "0", 0);
    if (!glfwInit()) {
        log_line("display: cannot open a window (no X11 or Wayland display?); run with --headless for text output");
        return false;
    }
    glfw_up_.store(true);
    GLFWmonitor* monitor = nullptr;
    int w = opt_.window_w, h = opt_.window_h;
    if (w <= 0 || h <= 0) {
        monitor = pick_monitor("");
        if (monitor) {
            const GLFWvidmode* mode = glfwGetVideoMode(monitor);
            // "Windowed full screen": the monitor's current mode, so the TV does not switch modes.
            glfwWindowHint(GLFW_RED_BITS, mode->redBits);
            glfwWindowHint(GLFW_GREEN_BITS, mode->greenBits);
            glfwWindowHint(GLFW_BLUE_BITS, mode->blueBits);
            glfwWindowHint(GLFW_REFRESH_RATE, mode->refreshRate);
            w = mode->width;
            h = mode->height;
        } else {
            log_line("display: no monitor found; opening a 1280x720 window and carrying on");
            w = 1280;
            h = 720;
        }
    }
    // No GL version hints: the driver's highest compatibility context (2.1 on a Pi 3, 4.x elsewhere);
    // asking for 3.0 fails outright on GL 2.1 drivers.
    // No depth or stencil buffer: the kiosk draws flat layers in order. GLFW asks for 24+8 bits by
    // default, which Mesa's software renderer allocates as a frame-sized buffer (8 MB at 1080p).
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
    window_ = glfwCreateWindow(w, h, "newsroom-kiosk", monitor, nullptr);
    if (!window_) {
        log_line("display: cannot create an OpenGL window");
        return false;
    }
    g_window = window_;
    glfwMakeContextCurrent(window_);
    // Vsync on X11. On Wayland the compositor never tears and presents at its own refresh, but with
    // interval 1 Mesa's eglSwapBuffers waits for the compositor's frame callback, which does not
    // come while an output is off or not being repainted: the loop would stop, and the watchdog
    // restart the kiosk. The loop paces its frames by itself (the fps caps), so it never blocks.
    glfwSwapInterval(glfw_is_wayland() ? 0 : 1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    imgui_ = true;
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    loop_.window = window_;
    loop_.fullscreen = monitor != nullptr;
    loop_.want_fullscreen = opt_.window_w <= 0;
    if (loop_.fullscreen) {
        glfwSetInputMode(window_, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
        // Without this the 1.86 backend shows the cursor again on every frame.
        io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    }
    ImGui_ImplGlfw_InitForOpenGL(window_, false);

    const std::string renderer = app.config().display.renderer;
    loop_.gl3 = renderer != "gl2" && ImGui_ImplOpenGL3_Init(nullptr);
    g_use_program = reinterpret_cast<PFNGLUSEPROGRAMPROC>(glfwGetProcAddress("glUseProgram"));
    if (!loop_.gl3) {
        while (glGetError() != GL_NO_ERROR) {
        }
        ImGui_ImplOpenGL2_Init();
    }
    // Before the kiosk exists: the texture formats for text depend on the backend.
    textures_.set_fixed_function(!loop_.gl3);
    log_line(std::string("display: GL ") + reinterpret_cast<const char*>(glGetString(GL_VERSION)) + " / " +
             reinterpret_cast<const char*>(glGetString(GL_RENDERER)) + ", backend " + (loop_.gl3 ? "opengl3" : "opengl2"));

    t0_ = steady_now();
    kiosk_ = app::Kiosk::create(app, textures_, [this] { wake(); }, log_line, t0_, wall_now());
    loop_.kiosk = kiosk_.get();
    loop_.app = &app;

    g_monitor_choice = app.config().display.monitor;
    glfwSetWindowUserPointer(window_, &loop_);
    if (loop_.fullscreen && !g_monitor_choice.empty()) on_monitor(nullptr, 0);

    // NK_REDRAW=preserved|layer|whole overrides the choice (tests and benchmarks of each path).
    const char* forced = std::getenv("NK_REDRAW");
    std::string want = forced ? forced : "";
    if (opt_.always_render || want == "whole") loop_.redraw = Redraw::Whole;
    else if (want != "layer" && (want == "preserved" || back_buffer_preserved(window_))) loop_.redraw = Redraw::Preserved;
    else if (loop_.layer.init()) loop_.redraw = Redraw::Layer;
    if (loop_.redraw == Redraw::Preserved && loop_.sub.init()) {
        log_line("display: partial frames go on screen by GLX_MESA_copy_sub_buffer");
        // NK_BLIT=gl keeps every frame in GL (tests compare the two; benchmarks measure each).
        const char* blit = std::getenv("NK_BLIT");
        if (!blit || std::string_view(blit) != "gl") {
            // X11-only GLFW functions, looked up so that the same binary runs on GLFW's Wayland build.
            auto x_display = reinterpret_cast<void* (*)()>(dlsym(RTLD_DEFAULT, "glfwGetX11Display"));
            auto x_window = reinterpret_cast<unsigned long (*)(GLFWwindow*)>(dlsym(RTLD_DEFAULT, "glfwGetX11Window"));
            std::string why;
            if (x_display && x_window && loop_.x11.init(x_display(), x_window(window_), why))
                log_line("display: the crawl and fades between cards move on the CPU and go on screen by MIT-SHM");
            else
                log_line("display: every frame is drawn by GL (" + (why.empty() ? std::string("not X11") : why) + ")");
        }
    }
    log_line(std::string("display: ") + (loop_.redraw == Redraw::Preserved ? "back buffer preserved: moving parts redraw alone"
                                         : loop_.redraw == Redraw::Layer  ? "static layer in a texture: moving parts redraw over it"
                                                                          : "every frame is drawn whole"));

    glfwSetKeyCallback(window_, on_key);
    glfwSetMouseButtonCallback(window_, on_mouse);
    glfwSetFramebufferSizeCallback(window_, on_framebuffer_size);
    glfwSetWindowSizeCallback(window_, on_window_size);
    glfwSetWindowRefreshCallback(window_, on_refresh);
    glfwSetMonitorCallback(on_monitor);
    glfwGetWindowSize(window_, &loop_.win_w, &loop_.win_h);
    glfwGetFramebufferSize(window_, &loop_.fb_w, &loop_.fb_h);
    kiosk_->set_size(static_cast<float>(loop_.fb_w), static_cast<float>(loop_.fb_h));
    loop_.last_frame = steady_now();
    return true;
}

void DisplayPlatform::present(app::App&, double t, int64_t wall, bool screen_on) {
    app::Kiosk& k = *kiosk_;
    k.update(t, wall);
    if (!screen_on && !loop_.screen_off) loop_.force_full = true;  // whatever was drawn is gone by the time it comes back
    loop_.screen_off = !screen_on;
    app::FramePlan plan = k.plan(t);
    // A fade's step blended on the CPU: the static layer is then as plan() wanted it, and what else
    // moved this turn (the crawl, the dwell bar) is planned again.
    if (screen_on && !screenshot_ && plan.cards_only && !loop_.force_full && !opt_.always_render && loop_.blit() &&
        fade_step(k, t))
        plan = k.plan(t);
    const bool full = plan.full || loop_.force_full || opt_.always_render;
    next_turn_ = opt_.always_render ? t : plan.wake_at;
    if (screenshot_) {
        // Content and the current card's image are worth waiting for (up to 15 s); the rotation never waits.
        const bool ready = k.has_content() && !k.image_pending();
        if (shot_deadline_ < 0 && (ready || t - t0_ > 15)) shot_deadline_ = t + opt_.screenshot_at;
        next_turn_ = std::min(next_turn_, t + 0.05);
        if (shot_deadline_ >= 0 && t >= shot_deadline_) {
            // The frame as the loop would draw it now (a strip-only one included), so a
            // screenshot also proves the partial redraw paths.
            const bool whole = loop_.force_full || loop_.frames == 0;
            loop_.render(t, plan.full || whole, whole ? std::nullopt : plan.damage, !whole && plan.cards_only);
            int fw = 0, fh = 0;
            glfwGetFramebufferSize(window_, &fw, &fh);
            if (!write_png(opt_.screenshot, fw, fh)) {
                log_line("screenshot: cannot write " + opt_.screenshot);
                rc_ = 1;
            } else {
                log_line("screenshot: wrote " + opt_.screenshot + " (" + std::to_string(fw) + "x" + std::to_string(fh) + ")");
            }
            done_ = true;
            return;
        }
    }
    if (screen_on && (full || plan.dynamic)) {
        const double c0 = cpu_now();
        const bool whole = loop_.force_full || opt_.always_render;
        if (!full && !whole && plan.crawl_only && loop_.blit() &&
            loop_.crawl.show(pixels(k.crawl_band()), k.crawl_offset(t), loop_.fb_h,
                             [&](int64_t offset, int x, int w) { loop_.render_crawl(t, offset, x, w); })) {
            k.crawl_shown(t);
            ++loop_.crawl_frames;
            loop_.cpu_crawl += cpu_now() - c0;
            return;
        }
        if (full) loop_.fade.reset();  // GL draws the static layer: the kept frame is the kiosk's again
        const bool cards_only = loop_.render(t, full, whole ? std::nullopt : plan.damage, !whole && plan.cards_only);
        // A frame that repainted only part of the preserved back buffer shows only that part;
        // the back buffer keeps the rest for the next frame either way.
        if (loop_.redraw == Redraw::Preserved && loop_.sub.ready() && !whole && (!full || plan.damage || cards_only)) {
            if (cards_only) loop_.sub.copy_all(k.repainted(), loop_.fb_h);
            loop_.sub.copy(ui::united(full && plan.damage ? *plan.damage : ui::Rect{}, k.dynamic_band()), loop_.fb_h);
        } else {
            glfwSwapBuffers(window_);
        }
        // What the screen's crawl band now shows, for the next crawl-only frame to move on from.
        if (loop_.blit()) loop_.crawl.sync(pixels(k.crawl_band()), k.crawl_offset(t), loop_.fb_h, full && !cards_only);
        (cards_only ? loop_.cpu_cards : full ? loop_.cpu_full : loop_.cpu_dynamic) += cpu_now() - c0;
        loop_.force_full = false;
    }
}

// A frame plan() asked for because a fade between cards moved: blended on the CPU when the fade
// started from the old cards standing in the kept frame (platform/x11_shm.h, FadeBlit). False: draw
// it through GL.
bool DisplayPlatform::fade_step(app::Kiosk& k, double t) {
    const double c0 = cpu_now();
    const std::optional<app::Kiosk::Fade> f = k.fade_at(t);
    if (f) {
        // A fade the kept frame does not show standing at its start is GL's to the end.
        if (!loop_.fade.active() && !f->from_standing) return false;
        std::vector<PixelRect> leaving;
        for (const ui::Rect& r : f->leaving) leaving.push_back(pixels(r));
        const ImU32 bg = k.background();  // ImGui's 0xAABBGGRR; the X image's pixels are 0xXXRRGGBB
        const bool ok = loop_.fade.step(leaving, f->gone, f->come, ((bg & 0xFF) << 16) | (bg & 0xFF00) | ((bg >> 16) & 0xFF),
                                        loop_.fb_h, [&] {
                                            loop_.render(f->end, true, std::nullopt, true, false);
                                            std::vector<PixelRect> painted;
                                            for (const ui::Rect& r : k.repainted()) painted.push_back(pixels(r));
                                            return painted;
                                        });
        if (!ok) {
            loop_.fade.reset();
            return false;
        }
    } else {
        // The fade's end: the kept frame has the new cards standing since its midpoint.
        if (!loop_.fade.arrived()) {
            loop_.fade.reset();
            return false;
        }
        std::vector<ui::Rect> painted;
        for (const PixelRect& r : loop_.fade.painted())
            painted.push_back({static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.w), static_cast<float>(r.h)});
        loop_.sub.copy_all(painted, loop_.fb_h);
        loop_.fade.reset();
    }
    k.static_shown(t);
    ++loop_.fade_frames;
    loop_.cpu_fade += cpu_now() - c0;
    return true;
}

double DisplayPlatform::next_turn(double) const { return next_turn_; }

int DisplayPlatform::close(app::App&) {
    const double secs = steady_now() - t0_;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    char peak[32];
    std::snprintf(peak, sizeof peak, "%.1f", static_cast<double>(ru.ru_maxrss) / 1024.0);
    auto ms_per = [](double cpu, uint64_t n) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f", n ? cpu * 1000.0 / static_cast<double>(n) : 0.0);
        return std::string(b);
    };
    const uint64_t dynamic_frames = loop_.frames - loop_.full_frames;
    // Text is shaped and rasterised when it changes, never per frame: these counts stay small over hours.
    std::string text;
    if (kiosk_) {
        const ui::TextEngine::Stats& ts = kiosk_->text_stats();
        char mib[64];
        std::snprintf(mib, sizeof mib, "%.1f MiB (peak %.1f)", static_cast<double>(ts.texture_bytes) / 1048576.0,
                      static_cast<double>(ts.peak_texture_bytes) / 1048576.0);
        text = "; text: " + std::to_string(ts.shaped) + " blocks shaped, " + std::to_string(ts.rasterized) + " rasterised, " +
               std::to_string(ts.evicted) + " evicted, " + std::to_string(ts.blocks) + " in " + mib + " of textures";
    }
    const uint64_t whole_frames = loop_.full_frames - loop_.cards_frames;
    std::string crawl;
    if (loop_.x11.ready())
        crawl = "; " + std::to_string(loop_.crawl_frames) + " crawl-only on the CPU, " + ms_per(loop_.cpu_crawl, loop_.crawl_frames) +
                " ms each, " + std::to_string(loop_.crawl.chunks()) + " chunks drawn ahead; " + std::to_string(loop_.fade_frames) +
                " fade steps on the CPU, " + ms_per(loop_.cpu_fade, loop_.fade_frames) + " ms each, " +
                std::to_string(loop_.fade.fades()) + " fades";
    log_line("display: " + std::to_string(loop_.frames + loop_.crawl_frames + loop_.fade_frames) + " frames (" + std::to_string(whole_frames) +
             " full, " + ms_per(loop_.cpu_full, whole_frames) + " CPU ms each; " + std::to_string(loop_.cards_frames) +
             " cards-only, " + ms_per(loop_.cpu_cards, loop_.cards_frames) + " ms each; " + std::to_string(dynamic_frames) +
             " strip-only, " + ms_per(loop_.cpu_dynamic, dynamic_frames) + " ms each" + crawl + ") in " +
             std::to_string(static_cast<int>(secs)) + " s, peak RSS " + peak + " MiB" + text);
    shut_down();
    return rc_;
}

void DisplayPlatform::shut_down() {
    kiosk_.reset();           // its textures go while the context is alive
    loop_.kiosk = nullptr;
    if (imgui_) {
        loop_.layer.release();
        if (loop_.gl3) ImGui_ImplOpenGL3_Shutdown();
        else ImGui_ImplOpenGL2_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
        imgui_ = false;
    }
    loop_.crawl.release();
    loop_.fade.release();
    loop_.x11.release();
    g_window = nullptr;
    if (window_) glfwDestroyWindow(window_);
    window_ = nullptr;
    if (glfw_up_.exchange(false)) glfwTerminate();
}

}  // namespace

std::unique_ptr<app::Platform> make_display(DisplayOptions options) {
    return std::make_unique<DisplayPlatform>(std::move(options));
}

}  // namespace nk::platform
