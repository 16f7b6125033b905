// SPDX-License-Identifier: Apache-2.0
#include "net/fleet_client.h"

#include <mosquitto.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace nk::net {
namespace {

std::once_flag g_lib_once;

std::string why_of(int rc, int err) {
    if (rc == MOSQ_ERR_ERRNO) return std::strerror(err);
    if (rc == MOSQ_ERR_EAI) return "cannot resolve the broker's host name";
    if (rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN) return "connection lost";
    if (rc == MOSQ_ERR_TLS) return "TLS failed (a certificate not trusted, or not for this host name?)";
    return mosquitto_strerror(rc);
}

}  // namespace

Result<std::string> read_password_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Error{ErrorCode::Io, "password file " + path + ": " + std::strerror(errno)};
    if (st.st_mode & (S_IROTH | S_IWOTH))
        return Error{ErrorCode::Io, "password file " + path + " is readable by every user; chmod 0600 (or 0640 for the service's group)"};
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return Error{ErrorCode::Io, "password file " + path + " cannot be read or is empty"};
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return Error{ErrorCode::Io, "password file " + path + ": the first line is empty"};
    return line;
}

struct FleetClient::Impl {
    FleetClientOptions opt;
    std::string password;
    mosquitto* mosq = nullptr;
    std::thread thread;

    mutable std::mutex mu;
    std::condition_variable cv;
    bool stop = false;
    bool is_connected = false;
    std::set<int> pending;               // QoS 1 publishes not yet acknowledged
    std::set<int> early;                 // acknowledged before publish() had noted them
    std::string final_topic, final_payload;
    std::string last_failure;            // said once per distinct reason while retrying
    int backoff = 1;                     // network thread only

    void state(bool up, const std::string& why) {
        {
            std::lock_guard lock(mu);
            if (up == is_connected && (up || why == last_failure)) return;
            is_connected = up;
            last_failure = up ? std::string() : why;
        }
        cv.notify_all();
        if (opt.on_state) opt.on_state(up, why);
    }

    static Impl& self(void* obj) { return *static_cast<Impl*>(obj); }

    static void on_connect(mosquitto* m, void* obj, int rc) {
        Impl& s = self(obj);
        if (rc != 0) {
            s.state(false, std::string("the broker refused the connection: ") + mosquitto_connack_string(rc));
            return;
        }
        s.backoff = 1;
        for (const std::string& t : s.opt.subscriptions) mosquitto_subscribe(m, nullptr, t.c_str(), 1);
        s.state(true, "");
    }

    static void on_disconnect(mosquitto*, void* obj, int rc) {
        self(obj).state(false, rc == 0 ? "disconnected" : "connection lost");
    }

    static void on_publish(mosquitto*, void* obj, int mid) {
        Impl& s = self(obj);
        {
            std::lock_guard lock(s.mu);
            if (s.pending.erase(mid) == 0 && s.early.size() < 1024) s.early.insert(mid);
        }
        s.cv.notify_all();
    }

    static void on_message(mosquitto*, void* obj, const mosquitto_message* msg) {
        Impl& s = self(obj);
        if (!s.opt.on_message || !msg || !msg->topic) return;
        FleetMessage m;
        m.topic = msg->topic;
        if (msg->payload && msg->payloadlen > 0) m.payload.assign(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
        m.retained = msg->retain;
        s.opt.on_message(std::move(m));
    }

    // True when asked to stop meanwhile.
    bool wait_stop(int seconds) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(seconds), [&] { return stop; });
    }

    bool stopping() {
        std::lock_guard lock(mu);
        return stop;
    }

    // Ours rather than mosquitto_loop_forever, which gives up for good on some errors (a TLS or
    // protocol error, a failed DNS lookup): a screen must keep trying for as long as it runs.
    void run() {
        errno = 0;
        int rc = mosquitto_connect_async(mosq, opt.broker.host.c_str(), opt.broker.port, opt.keepalive_seconds);
        bool need_connect = rc != MOSQ_ERR_SUCCESS;
        if (need_connect) state(false, why_of(rc, errno));
        while (!stopping()) {
            if (need_connect) {
                const int wait = backoff;
                backoff = std::min(backoff * 2, std::max(1, opt.max_backoff_seconds));
                if (wait_stop(wait)) break;
                errno = 0;
                rc = mosquitto_reconnect_async(mosq);
                if (rc != MOSQ_ERR_SUCCESS) {
                    state(false, why_of(rc, errno));
                    continue;
                }
                need_connect = false;
            }
            errno = 0;
            rc = mosquitto_loop(mosq, 500, 1);
            if (rc != MOSQ_ERR_SUCCESS) {
                state(false, why_of(rc, errno));
                need_connect = true;
            }
        }
    }
};

FleetClient::FleetClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<FleetClient>> FleetClient::start(FleetClientOptions options) {
    std::call_once(g_lib_once, [] { mosquitto_lib_init(); });
    auto impl = std::make_unique<Impl>();
    Impl& m = *impl;
    m.opt = std::move(options);
    if (!m.opt.password_file.empty()) {
        auto pw = read_password_file(m.opt.password_file);
        if (!pw) return pw.error();
        m.password = std::move(pw.value());
    }
    m.mosq = mosquitto_new(m.opt.client_id.empty() ? nullptr : m.opt.client_id.c_str(), true, &m);
    if (!m.mosq) return Error{ErrorCode::Io, "cannot create an MQTT client (out of memory?)"};
    auto fail = [&](const std::string& why) {
        mosquitto_destroy(m.mosq);
        m.mosq = nullptr;
        return Error{ErrorCode::InvalidInput, why};
    };
    mosquitto_threaded_set(m.mosq, true);
    mosquitto_int_option(m.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m.mosq, MOSQ_OPT_TCP_NODELAY, 1);  // an alert is one small packet: no Nagle delay
    mosquitto_connect_callback_set(m.mosq, &Impl::on_connect);
    mosquitto_disconnect_callback_set(m.mosq, &Impl::on_disconnect);
    mosquitto_publish_callback_set(m.mosq, &Impl::on_publish);
    mosquitto_message_callback_set(m.mosq, &Impl::on_message);
    if (!m.opt.username.empty() &&
        mosquitto_username_pw_set(m.mosq, m.opt.username.c_str(), m.password.empty() ? nullptr : m.password.c_str()) != MOSQ_ERR_SUCCESS)
        return fail("the MQTT username is not valid UTF-8");
    if (m.opt.broker.tls) {
        const char* ca = m.opt.ca_file.empty() ? nullptr : m.opt.ca_file.c_str();
        const char* ca_dir = ca ? nullptr : "/etc/ssl/certs";
        const char* cert = m.opt.cert_file.empty() ? nullptr : m.opt.cert_file.c_str();
        const char* key = m.opt.key_file.empty() ? nullptr : m.opt.key_file.c_str();
        if (int rc = mosquitto_tls_set(m.mosq, ca, ca_dir, cert, key, nullptr); rc != MOSQ_ERR_SUCCESS)
            return fail(std::string("TLS settings: ") + (rc == MOSQ_ERR_INVAL ? "a CA, certificate or key file cannot be read"
                                                                               : mosquitto_strerror(rc)));
    } else if (!m.opt.cert_file.empty()) {
        return fail("a client certificate needs mqtts://");
    }
    if (m.opt.will &&
        mosquitto_will_set(m.mosq, m.opt.will->topic.c_str(), static_cast<int>(m.opt.will->payload.size()), m.opt.will->payload.data(), 1,
                           m.opt.will->retain) != MOSQ_ERR_SUCCESS)
        return fail("the last will's topic is not valid");
    mosquitto_reconnect_delay_set(m.mosq, 1, static_cast<unsigned>(std::max(1, m.opt.max_backoff_seconds)), true);
    Impl* raw = impl.get();
    m.thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<FleetClient>(new FleetClient(std::move(impl)));
}

FleetClient::~FleetClient() {
    Impl& m = *impl_;
    std::string topic, payload;
    {
        std::lock_guard lock(m.mu);
        topic = m.final_topic;
        payload = m.final_payload;
    }
    if (connected()) {
        if (!topic.empty()) {
            publish(topic, payload, true);
            flush(std::chrono::seconds(2));
        }
        mosquitto_disconnect(m.mosq);
        std::unique_lock lock(m.mu);
        m.cv.wait_for(lock, std::chrono::seconds(1), [&] { return !m.is_connected; });
    }
    {
        std::lock_guard lock(m.mu);
        m.stop = true;
    }
    m.cv.notify_all();
    m.thread.join();
    mosquitto_destroy(m.mosq);
    // The password leaves memory with the client.
    std::fill(m.password.begin(), m.password.end(), '\0');
}

bool FleetClient::publish(const std::string& topic, const std::string& payload, bool retain) {
    Impl& m = *impl_;
    int mid = 0;
    // Not under our lock: libmosquitto takes its own, and calls on_publish (which takes ours) on
    // the network thread, possibly before this returns; `early` covers that.
    const int rc = mosquitto_publish(m.mosq, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retain);
    if (rc != MOSQ_ERR_SUCCESS) return false;
    std::lock_guard lock(m.mu);
    if (m.early.erase(mid) == 0) m.pending.insert(mid);
    return true;
}

bool FleetClient::connected() const {
    std::lock_guard lock(impl_->mu);
    return impl_->is_connected;
}

bool FleetClient::flush(std::chrono::milliseconds bound) {
    std::unique_lock lock(impl_->mu);
    return impl_->cv.wait_for(lock, bound, [&] { return impl_->pending.empty(); });
}

void FleetClient::set_final_message(std::string topic, std::string payload) {
    std::lock_guard lock(impl_->mu);
    impl_->final_topic = std::move(topic);
    impl_->final_payload = std::move(payload);
}

}  // namespace nk::net
