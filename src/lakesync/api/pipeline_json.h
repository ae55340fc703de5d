// The JSON of Databricks' pipelines API for a synced table's pipeline: GetPipelineResponse,
// UpdateInfo (GetUpdate, ListUpdates) and ListUpdatesResponse, written from lakesync's state.
// Thread-safety: free functions on the caller's values.
#pragma once

#include <string>
#include <vector>

#include "lakesync/api/json_writer.h"
#include "lakesync/sync/pipeline_control.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/sync/update_request.h"

namespace lakesync::api {

/// One UpdateInfo object: update_id, pipeline_id, state, cause, creation_time (ms since the
/// epoch), full_refresh.
void WriteUpdateInfo(JsonWriter& w, const std::string& pipeline_id,
                     const sync::UpdateRequest& update);

/// GetPipelineResponse of the pipeline of synced table `table` (full three-part name
/// `full_name`): pipeline_id, name, state, health, cause, last_modified, latest_updates
/// (`latest`, newest first) and spec {id, name, continuous}.
std::string PipelineJson(const sync::SyncedTableState& table, const std::string& full_name,
                         const sync::PipelineStatus& status,
                         const std::vector<sync::UpdateRequest>& latest);

/// ListUpdatesResponse: updates, next_page_token, prev_page_token.
std::string UpdatePageJson(const std::string& pipeline_id, const sync::UpdatePage& page);

}  // namespace lakesync::api
