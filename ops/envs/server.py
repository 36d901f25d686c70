#!/usr/bin/env python3
"""PixelProbe's game environment server: one game, driven over stdin/stdout.

Every message in either direction is one line of JSON. Each reply line carries
"frame_bytes"; when it is not 0, that many raw bytes follow the line: the observation as
height x width x 3 RGB, row-major. The protocol is documented in docs/games.md.

Requests (stdin):
  {"op": "make", "game": "carracing"|"spaceinvaders", "discretisation": "gym5"|"combo7"|"ale6",
   "expert": true}
  {"op": "reset", "seed": S}
  {"op": "step", "action": A}
  {"op": "close"}
Replies (stdout):
  make  -> {"ok": true, "game", "env_id", "actions": [names], "width", "height", "stack", "frame_bytes": 0}
  reset -> {"ok": true, "reward": 0, "terminated": false, "truncated": false, "steps": 0,
            "expert": A|null, "width", "height", "frame_bytes": N} + frame
  step  -> the same with the step's reward and flags
  close -> {"ok": true, "frame_bytes": 0}, then the process exits 0
  any error -> {"ok": false, "error": "...", "frame_bytes": 0}

Only this process imports gymnasium; the scripted experts live here because they read the
environment's privileged state (the track, the emulator's frame parity).
"""

import json
import math
import os
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

# The protocol owns the original stdout; anything a library prints goes to stderr instead.
PROTOCOL_OUT = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
sys.stdout = sys.stderr

import numpy as np  # noqa: E402
import gymnasium as gym  # noqa: E402

PROTOCOL_VERSION = 1

# CarRacing discretisations: index -> (steer, gas, brake) of the continuous action, or the
# environment's own discrete mode. `gym5` is gymnasium's `continuous=False` action set.
CAR_DISCRETISATIONS = {
    "gym5": {
        "names": ["NOOP", "RIGHT", "LEFT", "GAS", "BRAKE"],
        "table": None,
    },
    # gym5 plus steering while accelerating; run on the continuous environment.
    "combo7": {
        "names": ["NOOP", "RIGHT", "LEFT", "GAS", "BRAKE", "RIGHTGAS", "LEFTGAS"],
        "table": [
            (0.0, 0.0, 0.0), (0.6, 0.0, 0.0), (-0.6, 0.0, 0.0), (0.0, 0.2, 0.0),
            (0.0, 0.0, 0.8), (0.6, 0.2, 0.0), (-0.6, 0.2, 0.0),
        ],
    },
}

INVADERS_ACTIONS = ["NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"]


class ProtocolError(Exception):
    pass


class CarRacing:
    """CarRacing-v3, 96 x 96 frames, one environment step per action."""

    env_id = "CarRacing-v3"
    stack = 2
    default_discretisation = "gym5"

    def __init__(self, discretisation):
        if discretisation not in CAR_DISCRETISATIONS:
            raise ProtocolError(
                "unknown discretisation %r (known: %s)"
                % (discretisation, ", ".join(sorted(CAR_DISCRETISATIONS))))
        spec = CAR_DISCRETISATIONS[discretisation]
        self.names = spec["names"]
        self.table = spec["table"]
        self.env = gym.make(self.env_id, continuous=self.table is not None)

    def reset(self, seed):
        frame, _ = self.env.reset(seed=seed)
        return frame

    def step(self, action):
        if self.table is not None:
            action = np.array(self.table[action], dtype=np.float32)
        frame, reward, terminated, truncated, _ = self.env.step(action)
        return frame, float(reward), bool(terminated), bool(truncated)

    def expert(self):
        """Steer toward a look-ahead point on the track; speed set by the upcoming curvature."""
        car = self.env.unwrapped.car
        track = self.env.unwrapped.track
        x, y = car.hull.position
        angle = car.hull.angle
        n = len(track)
        nearest = min(range(n), key=lambda i: (track[i][2] - x) ** 2 + (track[i][3] - y) ** 2)
        vx, vy = car.hull.linearVelocity
        speed = math.hypot(vx, vy)
        ahead = 4 + int(speed / 12)
        tx, ty = track[(nearest + ahead) % n][2:4]
        # Box2D's body frame: forward is (-sin a, cos a), right is (cos a, sin a).
        dx, dy = tx - x, ty - y
        lateral = dx * math.cos(angle) + dy * math.sin(angle)
        forward = -dx * math.sin(angle) + dy * math.cos(angle)
        heading_error = math.atan2(lateral, max(forward, 1e-6))
        # Curvature: the change of track direction over the next stretch.
        bend = 0.0
        for k in range(1, 14):
            b0 = track[(nearest + k - 1) % n][1]
            b1 = track[(nearest + k) % n][1]
            d = (b1 - b0 + math.pi) % (2 * math.pi) - math.pi
            bend += abs(d)
        target_speed = 200.0 if bend < 0.3 else (100.0 if bend < 0.7 else 60.0)
        steer_threshold = 0.2
        if heading_error > steer_threshold:
            steer = 1  # right
        elif heading_error < -steer_threshold:
            steer = -1  # left
        else:
            steer = 0
        if speed > target_speed + 8:
            return self.names.index("BRAKE")
        if steer != 0 and "RIGHTGAS" in self.names and speed < target_speed:
            return self.names.index("RIGHTGAS" if steer > 0 else "LEFTGAS")
        if steer > 0:
            return self.names.index("RIGHT")
        if steer < 0:
            return self.names.index("LEFT")
        if speed < target_speed:
            return self.names.index("GAS")
        return self.names.index("NOOP")

    def close(self):
        self.env.close()


class SpaceInvaders:
    """SpaceInvadersNoFrameskip-v4 with the DQN wrappers: up to 30 no-ops at reset, each action
    repeated on 4 frames with the rewards summed and the observation the pixel-wise max of the
    last two. Full games (no end at a lost life), unclipped rewards, 210 x 160 frames."""

    env_id = "SpaceInvadersNoFrameskip-v4"
    stack = 4
    default_discretisation = "ale6"
    skip = 4
    noop_max = 30

    def __init__(self, discretisation):
        import ale_py

        if discretisation != "ale6":
            raise ProtocolError("unknown discretisation %r (known: ale6)" % (discretisation,))

        gym.register_envs(ale_py)
        self.names = INVADERS_ACTIONS
        self.env = gym.make(self.env_id)
        self.ale = self.env.unwrapped.ale
        meanings = self.env.unwrapped.get_action_meanings()
        if meanings != self.names:
            raise ProtocolError("unexpected action set %r" % meanings)
        # The last raw frames by frame-number parity: enemy bullets are drawn on odd frames,
        # the player's on even ones.
        self.by_parity = [None, None]

    def _remember(self, frame):
        self.by_parity[self.ale.getEpisodeFrameNumber() % 2] = frame

    def reset(self, seed):
        frame, _ = self.env.reset(seed=seed)
        self._remember(frame)
        noops = int(self.env.unwrapped.np_random.integers(1, self.noop_max + 1))
        for _ in range(noops):
            frame, _, terminated, truncated, _ = self.env.step(0)
            self._remember(frame)
            if terminated or truncated:
                frame, _ = self.env.reset()
                self._remember(frame)
        return frame

    def step(self, action):
        total = 0.0
        last = [None, None]
        terminated = truncated = False
        for i in range(self.skip):
            frame, reward, terminated, truncated, _ = self.env.step(action)
            self._remember(frame)
            total += reward
            if i >= self.skip - 2:
                last[i - (self.skip - 2)] = frame
            if terminated or truncated:
                break
        if last[0] is None:
            observation = frame
        elif last[1] is None:
            observation = last[0]
        else:
            observation = np.maximum(last[0], last[1])
        return observation, total, bool(terminated), bool(truncated)

    # Colours of the screen parts (RGB).
    INVADER = (134, 134, 29)
    PLAYER = (50, 132, 50)
    BULLET = (142, 142, 142)
    SHIELD = (181, 83, 40)

    def expert(self):
        """Parse the screen: dodge enemy bullets that no shield blocks; otherwise move under the
        nearest invader column that no shield hides, and fire."""
        odd = self.by_parity[1]
        screen = self.by_parity[0] if self.by_parity[0] is not None else odd
        if screen is None:
            return 0
        player = np.all(screen[185:195] == self.PLAYER, axis=2)
        cols = np.nonzero(player.any(axis=0))[0]
        if cols.size == 0:
            return 1  # between lives: keep firing
        px = (cols.min() + cols.max()) / 2.0
        shield = np.all(screen[157:175] == self.SHIELD, axis=2)
        # Enemy bullets close above the player within reach of its width, not above a shield.
        danger = []
        if odd is not None:
            bullets = np.all(odd[120:185] == self.BULLET, axis=2)
            ys, xs = np.nonzero(bullets)
            for yy, xx in zip(ys, xs):
                blocked = yy + 120 < 157 and shield[:, xx].any()
                if abs(xx - px) <= 9 and not blocked:
                    danger.append(xx)
        if danger:
            threat = float(np.mean(danger))
            go_left = threat > px or (threat == px and px > 80)
            if go_left and px > 30:
                return 5  # LEFTFIRE
            if not go_left and px < 130:
                return 4  # RIGHTFIRE
            return 5 if px >= 130 else 4
        invaders = np.all(screen[30:185] == self.INVADER, axis=2)
        icols = np.nonzero(invaders.any(axis=0))[0]
        if icols.size == 0:
            return 1
        # A shot from under a shield only erodes it: aim at columns with a clear line.
        covered = shield.any(axis=0)
        clear = [c for c in icols if not covered[max(0, c - 1):c + 2].any()]
        choices = np.array(clear) if clear else icols
        target = choices[np.argmin(np.abs(choices - px))]
        if target > px + 2:
            return 4  # RIGHTFIRE
        if target < px - 2:
            return 5  # LEFTFIRE
        return 1  # FIRE

    def close(self):
        self.env.close()


GAMES = {"carracing": CarRacing, "spaceinvaders": SpaceInvaders}


class Server:
    def __init__(self, stdin, stdout):
        self.stdin = stdin
        self.stdout = stdout
        self.game = None
        self.name = None
        self.with_expert = False
        self.steps = 0
        self.done = True

    def send(self, header, frame=None):
        data = b""
        if frame is not None:
            data = np.ascontiguousarray(frame, dtype=np.uint8).tobytes()
            header["height"], header["width"] = int(frame.shape[0]), int(frame.shape[1])
        header["frame_bytes"] = len(data)
        self.stdout.write(json.dumps(header, separators=(",", ":")).encode() + b"\n")
        if data:
            self.stdout.write(data)
        self.stdout.flush()

    def observation(self, frame, reward, terminated, truncated):
        header = {
            "ok": True, "reward": reward, "terminated": terminated, "truncated": truncated,
            "steps": self.steps,
            "expert": self.game.expert() if self.with_expert and not (terminated or truncated) else None,
        }
        self.send(header, frame)

    def handle(self, request):
        op = request.get("op")
        if op == "make":
            if self.game is not None:
                raise ProtocolError("make was already called")
            name = request.get("game")
            if name not in GAMES:
                raise ProtocolError("unknown game %r (known: %s)" % (name, ", ".join(sorted(GAMES))))
            self.game = GAMES[name](request.get("discretisation", GAMES[name].default_discretisation))
            self.name = name
            self.with_expert = bool(request.get("expert", False))
            self.send({
                "ok": True, "protocol": PROTOCOL_VERSION, "game": name,
                "env_id": self.game.env_id, "actions": self.game.names, "stack": self.game.stack,
            })
        elif op == "reset":
            self.require_game()
            seed = request.get("seed")
            if not isinstance(seed, int) or seed < 0:
                raise ProtocolError("reset needs a non-negative integer seed")
            frame = self.game.reset(seed)
            self.steps = 0
            self.done = False
            self.observation(frame, 0.0, False, False)
        elif op == "step":
            self.require_game()
            if self.done:
                raise ProtocolError("step before reset or after the episode ended")
            action = request.get("action")
            if not isinstance(action, int) or not 0 <= action < len(self.game.names):
                raise ProtocolError(
                    "action must be an integer in 0..%d, got %r" % (len(self.game.names) - 1, action))
            frame, reward, terminated, truncated = self.game.step(action)
            self.steps += 1
            self.done = terminated or truncated
            self.observation(frame, reward, terminated, truncated)
        elif op == "close":
            self.send({"ok": True})
            return False
        else:
            raise ProtocolError("unknown op %r (known: make, reset, step, close)" % (op,))
        return True

    def require_game(self):
        if self.game is None:
            raise ProtocolError("make must come first")

    def run(self):
        while True:
            line = self.stdin.readline()
            if not line:
                return  # the client went away
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ProtocolError("a request is a JSON object")
                if not self.handle(request):
                    return
            except (ProtocolError, ValueError) as error:
                self.send({"ok": False, "error": str(error)})


def main():
    server = Server(sys.stdin.buffer, PROTOCOL_OUT)
    try:
        server.run()
    finally:
        if server.game is not None:
            server.game.close()


if __name__ == "__main__":
    main()
