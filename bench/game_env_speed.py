#!/usr/bin/env python3
"""Peer of `pixelprobe-bench play-game`: the environment's own speed, driven in-process with the
same wrappers and the same scripted expert as ops/envs/server.py (no protocol, no PixelProbe).

Run with the game environments' interpreter:
  .venv-envs/bin/python bench/game_env_speed.py --game carracing --episodes 2 --max-steps 300
Prints one line: `steps STEPS seconds SECONDS steps_per_second RATE`.
"""
import argparse
import importlib.util
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "server", os.path.join(here, "..", "ops", "envs", "server.py"))
server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server)  # its module code sends library prints to stderr

parser = argparse.ArgumentParser()
parser.add_argument("--game", default="carracing", choices=sorted(server.GAMES))
parser.add_argument("--episodes", type=int, default=2)
parser.add_argument("--max-steps", type=int, default=300)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

game = server.GAMES[args.game](server.GAMES[args.game].default_discretisation)
steps = 0
seconds = 0.0
for episode in range(args.episodes):
    start = time.perf_counter()
    game.reset(args.seed + episode)
    for _ in range(args.max_steps):
        _, _, terminated, truncated = game.step(game.expert())
        steps += 1
        if terminated or truncated:
            break
    seconds += time.perf_counter() - start
game.close()
server.PROTOCOL_OUT.write(
    ("steps %d seconds %.6f steps_per_second %.3f\n" % (steps, seconds, steps / seconds)).encode())
server.PROTOCOL_OUT.flush()
