# The seed's Tema 4 client.py (Pengecek Kesehatan URL Concurrent), with Soal 1 and Soal 2 completed
# as the seed's steps say, in the same words serentak logs (src/themes/seed_themes.cpp): the seed's
# examples verbatim, and serentak's lines where the seed leaves the wording open (request sent,
# unexpected error, step 4's "done"). The Python peer in bench/seed_clients_compare.sh.
# Run with /usr/bin/python3 (Debian's python3-requests).
#
# Two deviations from the seed, so it can target a server on any port and log anywhere:
#   SERENTAK_BASE  overrides the base URL   (default http://127.0.0.1:5000)
#   SERENTAK_LOG   overrides the log file   (default health_check_log.txt)
# Console output stays the seed's two closing lines (the optional step 5 echo is left out).

import os
import requests
import threading
import time
from datetime import datetime

BASE_URL = os.environ.get("SERENTAK_BASE", "http://127.0.0.1:5000").rstrip("/")
URLS_TO_CHECK = [
    f"{BASE_URL}/status/ok",
    f"{BASE_URL}/status/slow",
    f"{BASE_URL}/status/error",
    f"{BASE_URL}/status/nonexistent", # Ini akan menghasilkan 404
    f"{BASE_URL}/status/ok"
]
NUM_REQUESTS = len(URLS_TO_CHECK)
CLIENT_LOG_FILE = os.environ.get("SERENTAK_LOG", "health_check_log.txt")

client_log_lock = threading.Lock()

with open(CLIENT_LOG_FILE, "w", encoding="utf-8") as f:
    f.write(f"--- URL Health Check Log Started: {datetime.now()} ---\n")

# ==============================================================================
# SOAL 1: Implementasi Logging Thread-Safe
# ==============================================================================
def log_client_activity_safe(thread_name, message):
    """Mencatat 'message' dari 'thread_name' ke CLIENT_LOG_FILE secara thread-safe."""
    with client_log_lock:
        timestamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
        log_message = f"[{timestamp}] [{thread_name}] {message}\n"
        with open(CLIENT_LOG_FILE, "a", encoding="utf-8") as log_file:
            log_file.write(log_message)


# ==============================================================================
# SOAL 2: Implementasi Fungsi Pengecekan URL
# ==============================================================================
def check_url_health(url, current_thread_name):
    """Mengirim GET ke 'url' dan mencatat hasil pengecekannya."""
    log_client_activity_safe(current_thread_name, f"Mengirim permintaan GET ke {url}")
    try:
        response = requests.get(url, timeout=2.5)
        if 200 <= response.status_code <= 299:
            log_client_activity_safe(
                current_thread_name, f"SUKSES! URL {url} merespons dengan status {response.status_code}.")
        else:
            log_client_activity_safe(
                current_thread_name, f"GAGAL! URL {url} merespons dengan status {response.status_code}.")
    except requests.exceptions.Timeout:
        log_client_activity_safe(current_thread_name, f"TIMEOUT! URL {url} tidak merespons dalam batas waktu.")
    except requests.exceptions.RequestException as e:
        log_client_activity_safe(
            current_thread_name, f"KONEKSI GAGAL! Tidak dapat terhubung ke {url}. Error: {e}")
    except Exception as e:
        log_client_activity_safe(current_thread_name, f"KESALAHAN TAK TERDUGA! Saat mengecek {url}. Error: {e}")
    log_client_activity_safe(current_thread_name, f"Pengecekan untuk URL {url} selesai diproses.")

def worker_thread_task(url, task_id):
    """Fungsi yang dijalankan oleh setiap worker thread."""
    thread_name = f"Worker-{task_id}"
    log_client_activity_safe(thread_name, f"Memulai pengecekan untuk URL: {url}")
    check_url_health(url, thread_name)
    log_client_activity_safe(thread_name, f"Selesai pengecekan untuk URL: {url}")

if __name__ == "__main__":
    log_client_activity_safe("MainClient", f"Memulai {NUM_REQUESTS} pengecekan kesehatan URL secara concurrent.")

    threads = []
    start_time = time.time()

    for i, target_url in enumerate(URLS_TO_CHECK):
        thread = threading.Thread(target=worker_thread_task, args=(target_url, i))
        threads.append(thread)
        thread.start()

    for thread in threads:
        thread.join()

    end_time = time.time()
    total_time = end_time - start_time

    log_client_activity_safe("MainClient", f"Semua pengecekan URL selesai dalam {total_time:.2f} detik.")
    print(f"\nLog aktivitas klien disimpan di: {CLIENT_LOG_FILE}")
    print(f"Total waktu eksekusi: {total_time:.2f} detik.")
