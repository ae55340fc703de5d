#include "lakesync/api/pipeline_json.h"

#include <cstdio>
#include <ctime>

namespace lakesync::api {
namespace {

// "2026-01-02T03:04:05.123456Z" -> milliseconds since the epoch (0 when unparsable).
int64_t EpochMillis(const std::string& iso) {
  std::tm tm{};
  int micros = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &micros) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + micros / 1000;
}

}  // namespace

void WriteUpdateInfo(JsonWriter& w, const std::string& pipeline_id,
                     const sync::UpdateRequest& update) {
  w.BeginObject();
  w.Member("pipeline_id", pipeline_id);
  w.Member("update_id", update.update_id);
  w.Member("state", sync::UpdateStateName(update.state));
  w.Member("full_refresh", update.full_refresh);
  w.Member("cause", "API_CALL");
  w.Member("creation_time", EpochMillis(update.requested_at));
  w.EndObject();
}

std::string PipelineJson(const sync::SyncedTableState& table, const std::string& full_name,
                         const sync::PipelineStatus& status,
                         const std::vector<sync::UpdateRequest>& latest) {
  JsonWriter w;
  w.BeginObject();
  w.Member("pipeline_id", table.pipeline_id);
  w.Member("name", full_name);
  w.Member("state", sync::PipelineStateName(status.state));
  w.Member("health", status.state == sync::PipelineState::kFailed ? "UNHEALTHY" : "HEALTHY");
  if (!status.cause.empty()) w.Member("cause", status.cause);
  w.Member("last_modified", status.last_modified_ms);
  // UpdateStateInfo, whose creation_time is a timestamp string (UpdateInfo's is a number).
  w.Key("latest_updates").BeginArray();
  for (const auto& u : latest) {
    w.BeginObject();
    w.Member("update_id", u.update_id);
    w.Member("state", sync::UpdateStateName(u.state));
    w.Member("creation_time", u.requested_at);
    w.EndObject();
  }
  w.EndArray();
  w.Key("spec").BeginObject();
  w.Member("id", table.pipeline_id);
  w.Member("name", full_name);
  w.Member("continuous", table.spec.policy == sync::SchedulingPolicy::kContinuous);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

std::string UpdatePageJson(const std::string& pipeline_id, const sync::UpdatePage& page) {
  JsonWriter w;
  w.BeginObject().Key("updates").BeginArray();
  for (const auto& u : page.updates) WriteUpdateInfo(w, pipeline_id, u);
  w.EndArray();
  w.OptionalMember("next_page_token", page.next_page_token);
  w.OptionalMember("prev_page_token", page.prev_page_token);
  w.EndObject();
  return w.Take();
}

}  // namespace lakesync::api
