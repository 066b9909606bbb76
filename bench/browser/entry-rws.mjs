// For 55-startup-size: reconnecting-websocket alone, as a bundler ships it.
export { default } from "reconnecting-websocket";
