#include "lakesync/cli/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace lakesync::cli {
namespace {

// Shown only after this long: quick runs never draw a bar.
constexpr auto kDelay = std::chrono::milliseconds(500);
constexpr auto kRedraw = std::chrono::milliseconds(100);

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Duration(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::Render(const sync::SyncProgress& p, int width) {
  std::string rate =
      p.rows_per_second > 0
          ? fmt::format("  {} rows/s", Thousands(static_cast<int64_t>(p.rows_per_second)))
          : "";
  if (p.rows_total <= 0) return fmt::format("{} rows{}", Thousands(p.rows_done), rate);
  const double fraction =
      std::clamp(static_cast<double>(p.rows_done) / static_cast<double>(p.rows_total), 0.0, 1.0);
  const int filled = static_cast<int>(fraction * width);
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
  std::string eta;
  if (p.rows_per_second > 0 && p.rows_done < p.rows_total) {
    eta = "  ETA " + Duration(static_cast<double>(p.rows_total - p.rows_done) / p.rows_per_second);
  }
  return fmt::format("{} {:3}%  {} / {} rows{}{}", bar, static_cast<int>(fraction * 100),
                     Thousands(p.rows_done), Thousands(p.rows_total), rate, eta);
}

void ProgressBar::Update(const sync::SyncProgress& progress) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < kDelay || (drawn_ && now - last_draw_ < kRedraw)) return;
  last_draw_ = now;
  drawn_ = true;
  fmt::print(stderr, "\r\033[K{} {}", label_, Render(progress));
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  std::lock_guard lock(mu_);
  if (!drawn_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace lakesync::cli
