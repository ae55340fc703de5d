// Metrics: a process-wide registry of counters, gauges and histograms with labels, rendered in
// the Prometheus text exposition format 0.0.4 (what `/metrics` serves). Series are addressed by
// name and labels on every call instead of through handles, so a series can be removed (a
// synced table deleted, a lease lost) without leaving dangling references behind.
// Thread-safety: every Registry member may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lakesync::metrics {

/// Label names and values, e.g. {{"table", "public.users"}}. Order does not matter.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { kCounter, kGauge, kHistogram };

/// Upper bounds for run durations in seconds: 10 ms to ~20 minutes.
std::vector<double> DefaultSecondsBuckets();

class Registry {
 public:
  /// Declares a metric family (name, type, HELP text; buckets for histograms). Declaring it
  /// again is a no-op. Using a name that was never declared declares it with an empty HELP
  /// and the type of the first use.
  void Declare(std::string_view name, Type type, std::string_view help,
               std::vector<double> buckets = {});

  /// Adds `by` to a counter (by >= 0) or a gauge.
  void Add(std::string_view name, const Labels& labels, double by = 1);
  /// Sets a gauge.
  void Set(std::string_view name, const Labels& labels, double value);
  /// Records one observation in a histogram.
  void Observe(std::string_view name, const Labels& labels, double value);
  /// Removes every series whose labels include all of `match`, in family `name` or, when
  /// `name` is empty, in every family.
  void RemoveSeries(const Labels& match, std::string_view name = {});

  /// The value of a counter or gauge series, or a histogram's count; nullopt when absent.
  std::optional<double> Value(std::string_view name, const Labels& labels) const;

  /// Every family with at least one series, in Prometheus text format 0.0.4.
  std::string RenderPrometheus() const;

 private:
  struct Series {
    double value = 0;                     // counter/gauge value; histogram sum
    uint64_t count = 0;                   // histogram observations
    std::vector<uint64_t> bucket_counts;  // histogram, not cumulative
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<Labels, Series> series;  // labels sorted by name
  };
  Family& FamilyLocked(std::string_view name, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

/// The process-wide registry.
Registry& Global();

}  // namespace lakesync::metrics
