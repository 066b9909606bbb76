//go:build !js

package sdk_test

import (
	"context"
	"fmt"
	"log"

	"github.com/redial-ws/redial/sdk"
)

// The RFC 6455 opening handshake of the current connection, made visible.
func ExampleConn_Handshake() {
	url, _, stop := exampleServer()
	defer stop()

	c, err := sdk.Dial(context.Background(), url, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(sdk.StatusNormalClosure, "")

	hs := c.Handshake()
	fmt.Println("status:", hs.StatusCode, "version:", hs.Version)
	fmt.Println("key sent:", len(hs.Key) == 24) // 16 random bytes, base64
	fmt.Println("accept = base64(SHA-1(key + GUID)):", hs.Accept == sdk.ComputeAccept(hs.Key), hs.AcceptValid)
	// Output:
	// status: 101 version: 13
	// key sent: true
	// accept = base64(SHA-1(key + GUID)): true true
}
