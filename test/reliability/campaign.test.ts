// The fast part of the reliability campaign (npm test): malformed lines for every record type and every SSRF
// address form. Nothing lost, nothing hung, every refusal clear. The full campaign: `npm run reliability`.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {formatTable, runCampaign} from './campaign.js'

test('reliability campaign (fast): 0 lost, 0 hung, 0 unclear', async () => {
  const rows = await runCampaign('fast')
  const table = formatTable(rows)
  assert.ok(rows.every((r) => r.tried > 0), table)
  for (const r of rows) {
    assert.equal(r.lost, 0, table)
    assert.equal(r.hung, 0, table)
    assert.equal(r.unclear, 0, table)
    assert.equal(r.handled, r.tried, table)
  }
})
