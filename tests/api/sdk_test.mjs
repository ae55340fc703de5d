// The official Databricks JavaScript SDK (@databricks/sdk-experimental) against `lakesync
// serve` on loopback: creates a synced table, polls it until ONLINE, lists it, triggers an
// update (and waits for it), reads its pipeline and updates, deletes it; then stops a
// CONTINUOUS table's pipeline (the SDK's waiter polls until IDLE), commits to the source while
// it is down and starts it again. Usage (run by sdk_test.sh):
//   node sdk_test.mjs HOST_URL TOKEN SYNCED_TABLE SOURCE_TABLE INSTANCE DELTAGEN SOURCE_PATH
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { WorkspaceClient } from '@databricks/sdk-experimental';

const [host, token, name, source, instance, deltagen, sourcePath] = process.argv.slice(2);
const w = new WorkspaceClient({ host, token, authType: 'pat' });

async function poll(what, fn, timeoutMs = 120000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last.done) return last.value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last answer: ${JSON.stringify(last.value)}`);
}

const created = await w.database.createSyncedDatabaseTable({
  synced_table: {
    name,
    database_instance_name: instance,
    spec: {
      source_table_full_name: source,
      primary_key_columns: ['user_id'],
      scheduling_policy: 'TRIGGERED',
      create_database_objects_if_missing: true,
      new_pipeline_spec: { storage_catalog: 'main', storage_schema: 'pipelines' },
    },
  },
});
assert.equal(created.name, name);
assert.deepEqual(created.spec.primary_key_columns, ['user_id']);
const pipelineId = created.data_synchronization_status.pipeline_id;
assert.ok(pipelineId, 'a pipeline id at creation');
console.log(`created ${name}: ${created.data_synchronization_status.detailed_state}, pipeline ${pipelineId}`);

const online = await poll('ONLINE', async () => {
  const t = await w.database.getSyncedDatabaseTable({ name });
  return { done: t.data_synchronization_status.detailed_state === 'SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE', value: t };
});
const status = online.data_synchronization_status;
assert.equal(status.last_sync.delta_table_sync_info.delta_commit_version, 0);
assert.equal(status.triggered_update_status.last_processed_commit_version, 0);
console.log(`online: ${status.message}`);

const listed = [];
for await (const t of w.database.listSyncedDatabaseTables({ instance_name: instance, page_size: 1 })) {
  listed.push(t.name);
}
assert.ok(listed.includes(name), `list names ${name}: ${listed}`);
console.log(`listed: ${listed.join(', ')}`);

const update = await w.pipelines.startUpdate({ pipeline_id: pipelineId, full_refresh: true });
assert.ok(update.update_id, 'an update id');
const info = await poll('the update to complete', async () => {
  const u = await w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: update.update_id });
  return { done: ['COMPLETED', 'FAILED'].includes(u.update.state), value: u.update };
});
assert.equal(info.state, 'COMPLETED');
assert.equal(info.full_refresh, true);
console.log(`update ${update.update_id}: ${info.state}`);

// The run lets go of the table just after it settles its update.
const pipeline = await poll('the pipeline to be IDLE', async () => {
  const p = await w.pipelines.get({ pipeline_id: pipelineId });
  return { done: p.state === 'IDLE', value: p };
});
assert.equal(pipeline.pipeline_id, pipelineId);
assert.equal(pipeline.name, name);
assert.equal(pipeline.spec.continuous, false);
assert.equal(pipeline.latest_updates[0].update_id, update.update_id);
assert.equal(pipeline.latest_updates[0].state, 'COMPLETED');
const updates = await w.pipelines.listUpdates({ pipeline_id: pipelineId, max_results: 10 });
assert.equal(updates.updates[0].update_id, update.update_id);
assert.equal(updates.updates[0].full_refresh, true);
console.log(`pipeline ${pipeline.state}, ${updates.updates.length} update(s)`);

await w.database.deleteSyncedDatabaseTable({ name });
await assert.rejects(w.database.getSyncedDatabaseTable({ name }), (e) => {
  assert.equal(e.errorCode, 'RESOURCE_DOES_NOT_EXIST');
  assert.equal(e.statusCode, 404);
  return true;
});
console.log('deleted; get answers RESOURCE_DOES_NOT_EXIST');

// A CONTINUOUS table: the daemon runs its pipeline until it is stopped.
const liveName = `${name}_live`;
const live = await w.database.createSyncedDatabaseTable({
  synced_table: {
    name: liveName,
    database_instance_name: instance,
    spec: { source_table_full_name: source, primary_key_columns: ['user_id'], scheduling_policy: 'CONTINUOUS' },
  },
});
const liveId = live.data_synchronization_status.pipeline_id;
const running = await poll('the continuous pipeline to run', async () => {
  const p = await w.pipelines.get({ pipeline_id: liveId });
  const t = await w.database.getSyncedDatabaseTable({ name: liveName });
  return { done: p.state === 'RUNNING' && t.data_synchronization_status.last_sync !== undefined, value: p };
});
assert.equal(running.spec.continuous, true);
const stopped = await (await w.pipelines.stop({ pipeline_id: liveId })).wait();
assert.equal(stopped.state, 'IDLE');
const down = await w.database.getSyncedDatabaseTable({ name: liveName });
assert.equal(down.data_synchronization_status.detailed_state, 'SYNCED_TABLE_ONLINE');
assert.equal(down.data_synchronization_status.last_sync.delta_table_sync_info.delta_commit_version, 0);
console.log(`stopped: ${down.data_synchronization_status.message}`);

// A commit while it is down is applied once an update starts the pipeline again.
execFileSync(deltagen, ['change', '--table', sourcePath, '--delete-every', '10']);
const resumed = await w.pipelines.startUpdate({ pipeline_id: liveId });
const caughtUp = await poll('the resumed pipeline to apply version 1', async () => {
  const t = await w.database.getSyncedDatabaseTable({ name: liveName });
  const p = await w.pipelines.get({ pipeline_id: liveId });
  const version = t.data_synchronization_status.last_sync?.delta_table_sync_info?.delta_commit_version;
  return { done: version === 1 && p.state === 'RUNNING', value: { t, p } };
});
assert.notEqual(caughtUp.t.data_synchronization_status.detailed_state, 'SYNCED_TABLE_ONLINE');
const resumedUpdate = await w.pipelines.getUpdate({ pipeline_id: liveId, update_id: resumed.update_id });
assert.equal(resumedUpdate.update.state, 'COMPLETED');
console.log(`resumed: ${caughtUp.t.data_synchronization_status.detailed_state}`);
await w.database.deleteSyncedDatabaseTable({ name: liveName });

const anonymous = new WorkspaceClient({ host, token: 'not-a-token', authType: 'pat' });
await assert.rejects(anonymous.database.getSyncedDatabaseTable({ name }), (e) => e.statusCode === 403);
console.log('SDK test passed');
