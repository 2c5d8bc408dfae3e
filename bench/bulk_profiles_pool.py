#!/usr/bin/python3
"""The seed's approach at bulk scale, as a peer for `serentak fetch`: requests + a thread pool of
100 (the analysts' story), one GET per user ID, each outcome appended to a log under a lock.

Usage: bulk_profiles_pool.py BASE_URL IDS_FILE LOG_FILE
"""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import requests

base, ids_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
session_local = threading.local()


def log(name, message):
    with lock:
        with open(log_file, "a", encoding="utf-8") as f:
            f.write(f"[{datetime.now().strftime('%Y-%m-%d %H:%M:%S.%f')}] [{name}] {message}\n")


def fetch(index_and_id):
    index, user_id = index_and_id
    try:
        r = requests.get(f"{base}/get_user_profile", params={"user_id": user_id}, timeout=5)
        log(f"Worker-{index}", f"{user_id}: {r.status_code}")
    except requests.exceptions.RequestException as e:
        log(f"Worker-{index}", f"{user_id}: error {e}")


with open(ids_file, encoding="utf-8") as f:
    ids = [line.strip() for line in f if line.strip()]
with ThreadPoolExecutor(max_workers=100) as pool:
    list(pool.map(fetch, enumerate(ids)))
