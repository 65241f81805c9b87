// bench/ws.sh's load: CONNECTIONS websockets to URL, each sending a small text message and
// waiting for its echo, again and again, for SECONDS; prints the round trips completed.
// Node's own WebSocket (node --experimental-websocket, Node 20+), so nothing to install.
const [url, connections, seconds] = [process.argv[2], +process.argv[3], +process.argv[4]];
const message = "x".repeat(32);
let done = 0, stop = false;
function run() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(message);
    ws.onmessage = () => { done++; if (stop) ws.close(1000); else ws.send(message); };
    ws.onclose = () => resolve();
    ws.onerror = (e) => reject(new Error(`websocket error on ${url}`));
  });
}
const all = Array.from({ length: connections }, run);
setTimeout(() => { stop = true; }, seconds * 1000);
await Promise.all(all);
console.log(done);
