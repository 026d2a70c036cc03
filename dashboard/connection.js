// The subscribe protocol from the browser (README: "Subscribing"). One division
// per connection; every event carries its position, so a cut connection (sleep,
// network, gateway restart) resumes exactly after the last event this page
// applied: the server replays what was missed, then goes live.
//
// States: connecting -> live; on a cut: reconnecting -> resumed (replay applied)
// or reloaded (the server could not resume; the snapshot came again).

const PROTOCOL = "civic.subscribe.v1";
const TERMINAL = (code) => code >= 4400 && code <= 4499;

export class Subscription {
  constructor({ token, division, onState, onWelcome, onSnapshot, onCase, onMessage, onLive, onError, onRefreshDue }) {
    Object.assign(this, { token, division, onState, onWelcome, onSnapshot, onCase, onMessage, onLive, onError, onRefreshDue });
    this.position = null;   // the position after the last event applied
    this.socket = null;
    this.backoff = 500;
    this.stopped = false;
    this.resuming = false;
    this.replayed = 0;
    this.snapshot = null;   // cases of a snapshot being received
  }

  start() { this.connect(false); }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close(1000, "signed out");
  }

  // Drop the socket as a network cut would and resume on a new one at once (a
  // dead socket's close handshake could take long to fail).
  drop() {
    const s = this.socket;
    if (!s || this.stopped) return;
    this.socket = null;
    s.onmessage = null;
    s.onclose = null;
    s.close(4000, "dropped by the page");
    this.onState("reconnecting");
    setTimeout(() => this.connect(true), 100);
  }

  refresh(token) {
    this.token = token;
    this.send({ type: "refresh", id: "refresh-" + Date.now(), token });
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  connect(again) {
    if (this.stopped) return;
    this.onState(again ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/v1/subscribe`, [PROTOCOL, "bearer." + this.token]);
    this.socket = socket;
    socket.onmessage = (m) => {
      for (const line of String(m.data).split("\n")) if (line) this.frame(JSON.parse(line));
    };
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return this.onState("offline");
      if (TERMINAL(e.code)) {
        this.stopped = true;
        this.onState("offline");
        return this.onError({ code: e.code, reason: e.reason, terminal: true });
      }
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, 10000);
      this.onState("reconnecting");
      setTimeout(() => this.connect(true), wait);
    };
  }

  frame(f) {
    switch (f.type) {
      case "welcome": {
        this.onWelcome(f);
        const from = this.position ?? "snapshot";
        this.resuming = this.position !== null;
        this.replayed = 0;
        this.send({ type: "subscribe", id: "sub", division: this.division, from, fallback: "snapshot" });
        break;
      }
      case "subscribed":
        if (f.snapshot_cases !== undefined) {
          this.snapshot = [];
          this.reloading = this.resuming;  // a resume that could not be made: reload
        }
        this.position = f.position;
        break;
      case "case":
        if (f.snapshot) {
          this.snapshot.push(f.case);
        } else {
          this.position = f.position;
          if (this.resuming) this.replayed++;
          this.onCase(f.case, { replay: this.resuming });
        }
        break;
      case "message":
        this.position = f.position;
        if (this.resuming) this.replayed++;
        this.onMessage(f.message, { replay: this.resuming, partition: f.partition, offset: f.offset });
        break;
      case "live":
        this.position = f.position;
        this.backoff = 500;
        if (this.snapshot) {
          this.onSnapshot(this.snapshot);
          this.snapshot = null;
          this.onState(this.reloading ? "reloaded" : "live");
        } else {
          this.onState(this.resuming ? "resumed" : "live");
        }
        this.onLive({ replayed: this.resuming ? this.replayed : 0, resumed: this.resuming && !this.reloading });
        this.resuming = false;
        this.reloading = false;
        break;
      case "disconnect":
        if (f.position) this.position = f.position;
        break;
      case "refresh_due":
        this.onRefreshDue(f);
        break;
      case "error":
        if (f.id === "sub" && f.retryable) {
          // The gateway is still reading its topics (just started): ask again soon.
          const wait = this.backoff;
          this.backoff = Math.min(this.backoff * 2, 10000);
          setTimeout(() => this.send({ type: "subscribe", id: "sub", division: this.division,
            from: this.position ?? "snapshot", fallback: "snapshot" }), wait);
          break;
        }
        this.onError(f);
        break;
      default:
        break;
    }
  }
}
