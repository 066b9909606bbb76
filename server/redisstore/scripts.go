package redisstore

import "github.com/redis/go-redis/v9"

// Every operation that reads and writes a session is one Lua script: Redis
// runs a script atomically, so the epoch check (fencing) and the write it
// guards can never be split by another node's Claim, and each operation
// costs one round trip (EVALSHA; go-redis falls back to EVAL once after a
// restart flushed the script cache).
//
// KEYS[1] is the session's hash (fields p principal, e epoch, d delivered,
// a acked, s sent, o owner node), KEYS[2] its stream of unacknowledged
// frames (entry id "<seq>-0", fields t type and p payload). Errors are
// error replies whose text starts with a REDIAL_ code (errors.go).

// checkEpoch is the fencing prologue of every mutating script; ARGV[1] is
// the caller's epoch.
const checkEpoch = `
local v = redis.call('HMGET', KEYS[1], 'e', 'a', 's', 'd')
if not v[1] then return redis.error_reply('REDIAL_NOTFOUND') end
if v[1] ~= ARGV[1] then return redis.error_reply('REDIAL_MOVED') end
local acked, sent, delivered = tonumber(v[2]), tonumber(v[3]), tonumber(v[4])
`

// create: ARGV principal, ttl ms, node. A leftover stream under a fresh id
// (impossible unless ids collide) is removed.
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('REDIAL_COLLISION') end
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'e', 1, 'd', 0, 'a', 0, 's', 0, 'o', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`)

// claim: ARGV ttl ms, node, move channel prefix, id. Bumps the epoch,
// records the new owner and tells the previous owner's node on its
// channel ("<epoch> <id>"), so that its handler ends at once.
var claimScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'p', 'd', 'a', 's', 'o')
if not v[2] then return redis.error_reply('REDIAL_NOTFOUND') end
local e = redis.call('HINCRBY', KEYS[1], 'e', 1)
redis.call('HSET', KEYS[1], 'o', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
if v[5] then redis.call('PUBLISH', ARGV[3] .. v[5], e .. ' ' .. ARGV[4]) end
return {v[1], e, v[2], v[3], v[4]}
`)

// append: ARGV epoch, seq, type, payload, max frames. A retry of an
// Append that already ran (its reply was lost) is a no-op. The stream's
// MAXLEN is a safety net only: the bound is checked first, and the ack
// (XTRIM MINID) is what releases frames.
var appendScript = redis.NewScript(checkEpoch + `
local seq = tonumber(ARGV[2])
if seq == sent then return 0 end
if seq ~= sent + 1 then return redis.error_reply('REDIAL_ORDER') end
if seq - acked > tonumber(ARGV[5]) then return redis.error_reply('REDIAL_FULL') end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], ARGV[2] .. '-0', 't', ARGV[3], 'p', ARGV[4])
redis.call('HSET', KEYS[1], 's', ARGV[2])
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
return 1
`)

// ack: ARGV epoch, upTo. Monotonic; frames ≤ upTo leave the stream.
var ackScript = redis.NewScript(checkEpoch + `
local u = tonumber(ARGV[2])
if u > sent then u = sent end
if u <= acked then return 0 end
redis.call('HSET', KEYS[1], 'a', u)
redis.call('XTRIM', KEYS[2], 'MINID', tostring(u + 1) .. '-0')
return 1
`)

// range: ARGV after. Returns {sent} or {sent, entries}; after < acked is
// REDIAL_TRIMMED (the caller needs frames already released).
var rangeScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'a', 's')
if not v[1] then return redis.error_reply('REDIAL_NOTFOUND') end
local after, sent = tonumber(ARGV[1]), tonumber(v[2])
if after < tonumber(v[1]) then return redis.error_reply('REDIAL_TRIMMED') end
if after >= sent then return {v[2]} end
return {v[2], redis.call('XRANGE', KEYS[2], tostring(after + 1) .. '-0', v[2] .. '-0')}
`)

// delivered: ARGV epoch, n. Monotonic.
var deliveredScript = redis.NewScript(checkEpoch + `
if tonumber(ARGV[2]) > delivered then redis.call('HSET', KEYS[1], 'd', ARGV[2]) end
return 1
`)

// touch: ARGV epoch, ttl ms.
var touchScript = redis.NewScript(checkEpoch + `
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`)

// delete: ARGV epoch (0: any). A stale owner deletes nothing.
var deleteScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if e and (ARGV[1] == '0' or e == ARGV[1]) then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
`)
