// BackgroundJobs: work the API starts and does not wait for (the initial snapshot of a new
// synced table, a requested update), each on a thread of its own, joined by Stop().
// Thread-safety: every member may be called from any thread.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace lakesync::api {

class BackgroundJobs {
 public:
  BackgroundJobs() = default;
  BackgroundJobs(const BackgroundJobs&) = delete;
  BackgroundJobs& operator=(const BackgroundJobs&) = delete;
  ~BackgroundJobs() { Stop(); }

  /// Runs `job` on a new thread; false (and nothing runs) once Stop() was called.
  bool Run(std::function<void()> job);
  /// Refuses new jobs and waits for the running ones to end. Idempotent.
  void Stop();

 private:
  struct Job {
    std::thread thread;
    bool done = false;
  };
  void ReapLocked();

  std::mutex mu_;
  bool stopped_ = false;
  std::list<std::shared_ptr<Job>> jobs_;
};

}  // namespace lakesync::api
