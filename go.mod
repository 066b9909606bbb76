module github.com/redial-ws/redial

go 1.26

require (
	github.com/coder/websocket v1.8.15
	github.com/hack-pad/safejs v0.1.1
	go.uber.org/goleak v1.3.0
)
