#pragma once
// A decorator over any MvccStore for tests: records every apply() and can run a hook just before
// an apply is forwarded (to land a concurrent write between a transaction's reads and its commit,
// or to hold writers at a gate).

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/store/mvcc_store.hpp"

#include <boost/system/system_error.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace routecat::test {

class HookedStore final : public MvccStore {
public:
    using Hook = std::function<boost::asio::awaitable<void>(MvccStore& inner)>;

    explicit HookedStore(std::shared_ptr<MvccStore> inner) : inner_(std::move(inner)) {}

    void before_apply(Hook hook) { apply_hook_ = std::move(hook); }
    // The next apply's answer is lost, as a network fault loses it: the apply throws
    // commit_outcome_unknown after the inner store committed it (landed) or without forwarding it.
    void lose_next_answer(bool landed) { lose_.store(landed ? Lose::after_commit : Lose::before_commit); }
    // Runs when an answer is lost, before commit_outcome_unknown is thrown (after the commit, if it
    // landed): other writers committing while the writer whose answer was lost does not know.
    void on_lost_answer(Hook hook) { lost_hook_ = std::move(hook); }
    // The next n calls of last_commit_ts() throw code (a store that is down, then comes back).
    void fail_last_commit_ts(int n, boost::system::error_code code = make_error_code(boost::system::errc::io_error)) {
        failure_code_ = code;
        failures_left_ = n;
    }
    // When each call of last_commit_ts() started.
    std::vector<std::chrono::steady_clock::time_point> last_commit_ts_times() const {
        std::lock_guard lock(mutex_);
        return watermark_times_;
    }

    void before_scan_at(Hook hook) { scan_hook_ = std::move(hook); }
    int scan_calls() const { return scan_calls_.load(); }

    // Runs before every call of last_commit_ts() (after the n-th-call hook, if both apply).
    void before_every_last_commit_ts(Hook hook) { every_watermark_hook_ = std::move(hook); }

    // Runs before the n-th call (counting from 1) of last_commit_ts().
    void before_last_commit_ts(int n, Hook hook) {
        watermark_hook_call_ = n;
        watermark_hook_ = std::move(hook);
    }

    // Mutation lists passed to apply(), in call order (including applies that then failed).
    std::vector<std::vector<Mutation>> applied() const {
        std::lock_guard lock(mutex_);
        return applied_;
    }

    boost::asio::awaitable<std::uint64_t> last_commit_ts() override {
        {
            std::lock_guard lock(mutex_);
            watermark_times_.push_back(std::chrono::steady_clock::now());
        }
        if (failures_left_.load() > 0 && failures_left_.fetch_sub(1) > 0)
            throw boost::system::system_error(failure_code_, "store down");
        if (++watermark_calls_ == watermark_hook_call_ && watermark_hook_) co_await watermark_hook_(*inner_);
        if (every_watermark_hook_) co_await every_watermark_hook_(*inner_);
        co_return co_await inner_->last_commit_ts();
    }
    boost::asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts) override {
        if (codec::is_route_key(key)) ++route_rows_read_;
        return inner_->get_at(std::move(key), ts);
    }
    boost::asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) override {
        ++scan_calls_;
        if (scan_hook_) co_await scan_hook_(*inner_);
        auto rows = co_await inner_->scan_at(std::move(start), std::move(end), limit, ts);
        for (const auto& row : rows)
            if (codec::is_route_key(row.key)) ++route_rows_read_;
        co_return rows;
    }
    // Route rows read: every get_at of a route key (found or not) and every route row a scan returned.
    int route_rows_read() const { return route_rows_read_.load(); }
    bool can_wait_for_change() const noexcept override { return inner_->can_wait_for_change(); }
    boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts) override {
        return inner_->wait_for_change(after_ts);
    }

protected:
    boost::asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                 std::uint64_t min_commit_ts) override {
        {
            std::lock_guard lock(mutex_);
            applied_.push_back(mutations);
        }
        if (apply_hook_) co_await apply_hook_(*inner_);
        const Lose lose = lose_.exchange(Lose::none);
        if (lose == Lose::before_commit) {
            if (lost_hook_) co_await lost_hook_(*inner_);
            throw_error(errc::commit_outcome_unknown, "test: answer lost, not committed");
        }
        const std::uint64_t committed = co_await inner_->apply(std::move(mutations), start_ts, min_commit_ts);
        if (lose == Lose::after_commit) {
            if (lost_hook_) co_await lost_hook_(*inner_);
            throw_error(errc::commit_outcome_unknown, "test: answer lost after the commit");
        }
        co_return committed;
    }

private:
    enum class Lose { none, before_commit, after_commit };

    std::shared_ptr<MvccStore> inner_;
    std::atomic<Lose> lose_{Lose::none};
    Hook apply_hook_;
    Hook lost_hook_;
    Hook watermark_hook_;
    Hook scan_hook_;
    Hook every_watermark_hook_;
    std::atomic<int> failures_left_{0};
    boost::system::error_code failure_code_;
    std::vector<std::chrono::steady_clock::time_point> watermark_times_;
    std::atomic<int> scan_calls_{0};
    std::atomic<int> route_rows_read_{0};
    int watermark_hook_call_ = 0;
    std::atomic<int> watermark_calls_{0};
    mutable std::mutex mutex_;
    std::vector<std::vector<Mutation>> applied_;
};

}  // namespace routecat::test
