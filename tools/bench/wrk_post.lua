-- POSTs for wrk, one line of the data file per request:
--   path <TAB> cookie <TAB> body
-- Thread n of N takes lines n, n+N, n+2N, ... so no two requests share a
-- line until every line was sent once (then it starts again: a repeat is
-- the "already checked in" / "already booked" answer, counted as such).
-- Usage: wrk -s tools/bench/wrk_post.lua URL -- DATAFILE
-- Each answer is counted by kind (see classify); the last line printed is
-- the JSON of bench/wrk_report.lua plus those counts.
dofile("tools/bench/wrk_report.lua")
local report = done

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  local index = 0
  for line in io.lines(args[1]) do
    if index % counter_total() == tid then
      table.insert(lines, line)
    end
    index = index + 1
  end
  position = 0
  sent, repeats, ok, refused, other = 0, 0, 0, 0, 0
end

-- The second column is a Cookie header, or another (WRK_CREDENTIALS_HEADER,
-- e.g. Authorization for an API token); bodies are forms unless WRK_CONTENT_TYPE says.
credentials_header = os.getenv("WRK_CREDENTIALS_HEADER") or "Cookie"
content_type = os.getenv("WRK_CONTENT_TYPE") or "application/x-www-form-urlencoded"

function counter_total()
  return tonumber(os.getenv("WRK_THREADS") or "1")
end

function request()
  position = position + 1
  if position > #lines then
    position = 1
    repeats = repeats + 1
  end
  local path, cookie, body = lines[position]:match("([^\t]*)\t([^\t]*)\t(.*)")
  sent = sent + 1
  local headers = {
    [credentials_header] = cookie,
    ["Content-Type"] = content_type,
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid % 250, math.floor(sent / 250) % 250, sent % 250),
  }
  return wrk.format("POST", path, headers, body)
end

-- What counts as the wanted answer: WRK_OK is a Lua pattern matched against
-- the Location header (a redirect) or the body (a page).
local wanted = os.getenv("WRK_OK") or ""
local unwanted = os.getenv("WRK_REFUSED") or "\1"

function response(status, headers, body)
  local text = headers["Location"] or body or ""
  if status >= 500 then
    other = other + 1
  elseif text:find(wanted) then
    ok = ok + 1
  elseif text:find(unwanted) then
    refused = refused + 1
  else
    other = other + 1
  end
end

done = function(summary, latency, requests)
  local totals = {ok = 0, refused = 0, other = 0, lines_reused = 0}
  for _, thread in ipairs(threads) do
    totals.ok = totals.ok + thread:get("ok")
    totals.refused = totals.refused + thread:get("refused")
    totals.other = totals.other + thread:get("other")
    totals.lines_reused = totals.lines_reused + thread:get("repeats")
  end
  io.write(string.format('{"ok": %d, "refused": %d, "other": %d, "lines_reused": %d}\n',
    totals.ok, totals.refused, totals.other, totals.lines_reused))
  report(summary, latency, requests)
end
