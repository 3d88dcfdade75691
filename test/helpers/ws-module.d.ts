// `ws` ships no types and @types/ws is not installed: the tests and the stream benchmark use it as an
// untyped peer (a WebSocket server for the agent's client, a v5.channel.k8s.io client for exec).
declare module 'ws';
