// `npm run reliability`: the full campaign (malformed lines in process and through the CLI, SSRF forms, hostile
// pages in a network namespace, kill -9 → --resume of rollout, synthesize and train, server load), one table on
// stdout; exit 1 if anything was lost, hung or unclear.
import {formatTable, runCampaign} from './campaign.js'

const mode = process.argv.includes('--fast') ? 'fast' : process.argv.includes('--load') ? 'load' : 'full'
const rows = await runCampaign(mode, (r) => process.stderr.write(`${r.probe}: ${r.tried} tried\n`))
process.stdout.write(formatTable(rows) + '\n')
const bad = rows.reduce((n, r) => n + r.lost + r.hung + r.unclear, 0)
process.exit(bad === 0 ? 0 : 1)
