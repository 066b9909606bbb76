module github.com/redial-ws/redial/bench

go 1.26.0

// The benchmarks compare redial with what a user would pick instead
// (gorilla/websocket, recws, …) and plot the results (gonum/plot). They live
// in their own module so none of that reaches redial users' go.sum.
replace github.com/redial-ws/redial => ../

require (
	github.com/coder/websocket v1.8.15
	github.com/redial-ws/redial v0.0.0-00010101000000-000000000000
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/hack-pad/safejs v0.1.1 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
