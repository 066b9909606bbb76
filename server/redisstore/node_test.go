package redisstore_test

const nodeEnv = "REDIAL_REDISSTORE_NODE"

func runNode() int { return 0 }
