// SPDX-License-Identifier: Apache-2.0
// result.h: errors as values for everything in src/core (and the modules above it).
// A bad feed or a bad config is data, not a crash: functions that can fail on input return
// Result<T>, which holds either a value or an Error with a code and a message that names
// what failed and where (feed, line, column). No exception crosses a module edge.
// Pure value types; any thread.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace nk {

enum class ErrorCode {
    InvalidInput,   // bytes that cannot be read as what was asked for
    NotAFeed,       // well-formed XML (or HTML) whose root is not RSS/RDF/Atom
    TooLarge,       // over a configured limit
    Unsupported,    // e.g. a charset iconv does not know
    Io,             // file system
    Busy,           // held by another process (a lock)
};

struct Error {
    ErrorCode code = ErrorCode::InvalidInput;
    std::string message;
};

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}             // NOLINT: implicit on purpose
    Result(Error error) : v_(std::move(error)) {}         // NOLINT
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Error> v_;
};

}  // namespace nk
