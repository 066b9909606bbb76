// For 55-startup-size: partysocket's reconnecting WebSocket alone, as a bundler ships it.
export { WebSocket } from "partysocket";
