"""The Lua scripts of the Redis backend: apply events once, and fetch what a batch reads.

Every count or distinct key has a version `<key>|v`, bumped by each write (seeded from
the server clock when the key is new), so a worker that keeps a local copy of a key can
ask "changed since?" and get nothing back when only its own writes touched it.
"""

# KEYS: per event, its event-id key then the key of each observation.
# ARGV[1] event-id TTL, ARGV[2] max members, ARGV[3] number of events, then per event the
# number of its observations and per observation: kind, member, amount, ttl, bucket,
# oldest bucket kept, deadline (event time + ttl) and event time, numbers as exact strings.
# Returns {applied flag per event, {key, version after the script, ...}}.
APPLY = """
local ttl_e, maxm, nev = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local k, a = 1, 4
local flags, versions = {}, {}
for e = 1, nev do
  local nobs = tonumber(ARGV[a])
  a = a + 1
  local fresh = redis.call('SET', KEYS[k], '1', 'NX', 'EX', ttl_e)
  flags[e] = fresh and 1 or 0
  k = k + 1
  for o = 1, nobs do
    if fresh then
      local key, kind = KEYS[k], ARGV[a]
      local member, amount, ttl = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
      local bucket, oldest = ARGV[a + 4], tonumber(ARGV[a + 5])
      local deadline, now = ARGV[a + 6], ARGV[a + 7]
      if kind == 'count' then
        redis.call('HINCRBYFLOAT', key, bucket, amount)
        if redis.call('HLEN', key) > 2 then
          for _, f in ipairs(redis.call('HKEYS', key)) do
            if tonumber(f) < oldest then redis.call('HDEL', key, f) end
          end
        end
      elseif kind == 'distinct' then
        redis.call('ZADD', key, 'GT', deadline, member)
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now)
        local n = redis.call('ZCARD', key)
        if n > maxm then redis.call('ZREMRANGEBYRANK', key, 0, n - maxm - 1) end
        redis.call('SET', key .. '|ttl', ttl, 'EX', ttl + 60)
      elseif kind == 'mark' then
        redis.call('SET', key, member)
      elseif kind == 'unmark' then
        redis.call('DEL', key)
      end
      if kind == 'count' or kind == 'distinct' then
        if redis.call('TTL', key) < ttl + 60 then redis.call('EXPIRE', key, ttl + 60) end
        local vkey = key .. '|v'
        if redis.call('EXISTS', vkey) == 0 then
          local t = redis.call('TIME')
          redis.call('SET', vkey, t[1] .. string.format('%06d', tonumber(t[2])))
        end
        versions[key] = redis.call('INCR', vkey)
        redis.call('EXPIRE', vkey, redis.call('TTL', key))
      end
    end
    k = k + 1
    a = a + 8
  end
end
local changed = {}
for key, v in pairs(versions) do
  changed[#changed + 1] = key
  changed[#changed + 1] = v
end
return {flags, changed}
"""

# KEYS: the batch's event-id keys, then state keys. ARGV[1]: how many event-id keys, then
# per state key `<kind>:<version held>` (kind c, d or m; version empty when none held).
# Returns {applied flag per event id}, then per state key: {version} when the version held
# is current, else {version, contents}: a set's members with deadlines and its ttl, a
# count hash's fields; a mark is always returned whole, {value or ''}.
FETCH = """
local n = tonumber(ARGV[1])
local applied = {}
for i = 1, n do applied[i] = redis.call('EXISTS', KEYS[i]) end
local out = {applied}
for i = n + 1, #KEYS do
  local spec = ARGV[i - n + 1]
  local kind, held = string.sub(spec, 1, 1), string.sub(spec, 3)
  local key = KEYS[i]
  if kind == 'm' then
    out[#out + 1] = {redis.call('GET', key) or ''}
  else
    local v = redis.call('GET', key .. '|v') or ''
    if v ~= '' and v == held then
      out[#out + 1] = {v}
    elseif kind == 'd' then
      local rows = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
      out[#out + 1] = {v, rows, redis.call('GET', key .. '|ttl') or ''}
    else
      out[#out + 1] = {v, redis.call('HGETALL', key)}
    end
  end
end
return out
"""
