#include "lakesync/common/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lakesync::metrics {
namespace {

Labels Sorted(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void AppendEscaped(std::string_view s, bool quote, std::string& out) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void AppendNumber(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

void AppendLabels(const Labels& labels, const std::pair<std::string, std::string>* extra,
                  std::string& out) {
  if (labels.empty() && extra == nullptr) return;
  out += '{';
  bool first = true;
  auto one = [&](const std::pair<std::string, std::string>& l) {
    if (!first) out += ',';
    first = false;
    out += l.first;
    out += "=\"";
    AppendEscaped(l.second, true, out);
    out += '"';
  };
  for (const auto& l : labels) one(l);
  if (extra != nullptr) one(*extra);
  out += '}';
}

void AppendSample(std::string_view name, const Labels& labels,
                  const std::pair<std::string, std::string>* extra, double value,
                  std::string& out) {
  out += name;
  AppendLabels(labels, extra, out);
  out += ' ';
  AppendNumber(value, out);
  out += '\n';
}

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::vector<double> DefaultSecondsBuckets() {
  return {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200};
}

void Registry::Declare(std::string_view name, Type type, std::string_view help,
                       std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) return;
  Family f;
  f.type = type;
  f.help = std::string(help);
  if (type == Type::kHistogram) {
    f.buckets = buckets.empty() ? DefaultSecondsBuckets() : std::move(buckets);
    std::sort(f.buckets.begin(), f.buckets.end());
  }
  families_.emplace(std::string(name), std::move(f));
}

Registry::Family& Registry::FamilyLocked(std::string_view name, Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family f;
    f.type = type;
    if (type == Type::kHistogram) f.buckets = DefaultSecondsBuckets();
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  return it->second;
}

void Registry::Add(std::string_view name, const Labels& labels, double by) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name, Type::kCounter);
  if (f.type == Type::kHistogram || (f.type == Type::kCounter && by < 0)) return;
  f.series[Sorted(labels)].value += by;
}

void Registry::Set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name, Type::kGauge);
  if (f.type != Type::kGauge) return;
  f.series[Sorted(labels)].value = value;
}

void Registry::Observe(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name, Type::kHistogram);
  if (f.type != Type::kHistogram) return;
  Series& s = f.series[Sorted(labels)];
  s.bucket_counts.resize(f.buckets.size());
  auto it = std::lower_bound(f.buckets.begin(), f.buckets.end(), value);
  if (it != f.buckets.end()) ++s.bucket_counts[it - f.buckets.begin()];
  s.value += value;
  ++s.count;
}

void Registry::RemoveSeries(const Labels& match, std::string_view name) {
  std::lock_guard lock(mu_);
  for (auto& [family_name, f] : families_) {
    if (!name.empty() && family_name != name) continue;
    std::erase_if(f.series, [&](const auto& entry) {
      return std::all_of(match.begin(), match.end(), [&](const auto& m) {
        return std::find(entry.first.begin(), entry.first.end(), m) != entry.first.end();
      });
    });
  }
}

std::optional<double> Registry::Value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return std::nullopt;
  auto s = it->second.series.find(Sorted(labels));
  if (s == it->second.series.end()) return std::nullopt;
  return it->second.type == Type::kHistogram ? static_cast<double>(s->second.count)
                                             : s->second.value;
}

std::string Registry::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (f.series.empty()) continue;
    out += "# HELP ";
    out += name;
    out += ' ';
    AppendEscaped(f.help, false, out);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += TypeName(f.type);
    out += '\n';
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        AppendSample(name, labels, nullptr, s.value, out);
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < f.buckets.size(); ++i) {
        cumulative += i < s.bucket_counts.size() ? s.bucket_counts[i] : 0;
        std::string le;
        AppendNumber(f.buckets[i], le);
        std::pair<std::string, std::string> extra{"le", le};
        AppendSample(name + "_bucket", labels, &extra, static_cast<double>(cumulative), out);
      }
      std::pair<std::string, std::string> inf{"le", "+Inf"};
      AppendSample(name + "_bucket", labels, &inf, static_cast<double>(s.count), out);
      AppendSample(name + "_sum", labels, nullptr, s.value, out);
      AppendSample(name + "_count", labels, nullptr, static_cast<double>(s.count), out);
    }
  }
  return out;
}

Registry& Global() {
  static Registry* registry = new Registry();  // never destroyed: used until exit
  return *registry;
}

}  // namespace lakesync::metrics
