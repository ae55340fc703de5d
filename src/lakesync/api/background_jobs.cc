#include "lakesync/api/background_jobs.h"

#include <vector>

namespace lakesync::api {

bool BackgroundJobs::Run(std::function<void()> job) {
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  ReapLocked();
  auto entry = std::make_shared<Job>();
  entry->thread = std::thread([this, entry, job = std::move(job)] {
    job();
    std::lock_guard done_lock(mu_);
    entry->done = true;
  });
  jobs_.push_back(std::move(entry));
  return true;
}

void BackgroundJobs::ReapLocked() {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();  // it has returned or is returning: joins at once
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

void BackgroundJobs::Stop() {
  std::list<std::shared_ptr<Job>> running;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    running.swap(jobs_);
  }
  for (auto& job : running) {
    if (job->thread.joinable()) job->thread.join();
  }
}

}  // namespace lakesync::api
