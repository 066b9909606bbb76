package main

// usageText is what -h/--help prints (on stdout) and a usage error prints
// (on stderr). TestHelpNamesEveryFlag keeps it in step with the flags.
const usageText = `usage: redial [flags] URL
       redial [flags] -c URL

Sends each line of stdin as a message and prints every message received
on stdout; state changes go to stderr. It stays connected, reconnecting by
the redial SDK's policy; --no-reconnect makes it end at the first failure
or close, as wscat does. A URL with no scheme (host:port/path) is ws://.
Flags take one dash or two (-v, --v) and may come after the URL.

connection:
  -c, --connect URL      the URL (or give it as the argument)
  -s, --subprotocol P    offer subprotocol P (repeatable); the server must agree to one
  -H, --header 'N: V'    add a handshake header (repeatable)
  -o, --origin ORIGIN    send Origin: ORIGIN
      --auth USER:PASS   send Authorization: Basic (never printed, not even with -v)
      --timeout D        dial timeout of each attempt (default 10s)
  -n, --no-check         do not check the server's TLS certificate; a warning
  -k, --insecure         says so on stderr (websocat's names for -n)
      --ca FILE          trust only the PEM certificates in FILE (a self-signed server)

reconnection:
      --no-reconnect     never reconnect: the first failure or close ends it
      --min-delay D      backoff: cap of the first reconnect wait (default 1s)
      --max-delay D      backoff: cap of every reconnect wait (default 30s)
      --max-retries N    give up after N consecutive failed attempts (default 0: never)
      --heartbeat D      ping interval; two unanswered pings mean the connection
                         is dead (default 25s; 0: off)

messages:
  -x, --execute MSG      send MSG once connected, print what arrives for -w, then
                         close with 1000 (stdin is not read)
  -w, --wait SECONDS     with -x: wait this long (default 2). Otherwise, after stdin
                         ends, print what arrives until it is quiet for 200ms, at
                         most this long (default 1; 0: close at once). A duration
                         (500ms) works too
  -b, --binary           send each stdin line as a binary message; print binary
                         messages received in hex (or base64 with --base64)
      --hex              print binary messages in hex, not as <binary N bytes>
      --base64           print binary messages in base64
      --slash            a line starting with / is a command: /ping [DATA],
                         /pong [DATA], /close [CODE [REASON]]; //x sends /x
  -P, --show-ping-pong   print every ping and pong on stderr, received (<) and
                         sent (>: the heartbeat's, /ping's, the answers)
  -v, --verbose          print the opening handshake and verify Sec-WebSocket-Accept
  -h, --help             this text

Secrets are printed redacted: a URL's password and query values, header
values (Authorization keeps its scheme), --auth.

examples:
  redial ws://localhost:8080/ws/echo           type lines; Ctrl-D closes with 1000
  echo hi | redial localhost:8080/ws/echo      prints the reply, exits 0
  redial -x '{"op":"subscribe"}' -w 5 wss://example.com/feed
  redial -H 'Authorization: Bearer TOKEN' -s graphql-ws wss://api.example.com/graphql
  redial --slash -P wss://example.com/ws       then type /ping, or /close 4000 done
  redial --ca dev-ca.pem wss://localhost:8443/ws
  redial --max-retries 3 --max-delay 5s ws://localhost:8080/ws/echo
  redial --no-reconnect ws://localhost:8080/ws/echo   ends at the first drop, as wscat

exit status:
  0    done: stdin ended, -x's wait passed or /close (closed after sending
       everything), or the server closed with 1000 and the policy said not
       to reconnect
  1    any other failure (e.g. cannot connect with --no-reconnect)
  2    usage error or bad URL
  3    closed for good by the server (or the connection was lost) with a
       code other than 1000, e.g. 1008 policy violation
  4    handshake refused (HTTP status other than 101, no subprotocol)
  5    retries exhausted (--max-retries)
  130  interrupted by SIGINT (143: SIGTERM); an open connection is closed with 1000
`
