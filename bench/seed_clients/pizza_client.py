# The seed's Tema 3 client.py (Pelacak Status Pesanan Pizza Concurrent), with Soal 1 and Soal 2 completed
# as the seed's steps say, in the same words serentak logs (src/themes/seed_themes.cpp): the seed's
# examples verbatim, and serentak's lines where the seed leaves the wording open (request sent,
# timeout, request error, unexpected error, step 4's "done"). The Python peer in
# bench/seed_clients_compare.sh. Run with /usr/bin/python3 (Debian's python3-requests).
#
# Two deviations from the seed, so it can target a server on any port and log anywhere:
#   SERENTAK_BASE  overrides the base URL   (default http://127.0.0.1:5000)
#   SERENTAK_LOG   overrides the log file   (default pizza_tracker_log.txt)
# Console output stays the seed's two closing lines (the optional step 5 echo is left out).

import os
import requests
import threading
import time
from datetime import datetime

BASE_URL = os.environ.get("SERENTAK_BASE", "http://127.0.0.1:5000").rstrip("/")
BASE_API_URL = f"{BASE_URL}/get_order_status"
ORDERS_TO_TRACK = ["ORD-101", "ORD-103", "ORD-999", "ORD-102", "ORD-105"]
NUM_REQUESTS = len(ORDERS_TO_TRACK)
CLIENT_LOG_FILE = os.environ.get("SERENTAK_LOG", "pizza_tracker_log.txt")

client_log_lock = threading.Lock()

with open(CLIENT_LOG_FILE, "w", encoding="utf-8") as f:
    f.write(f"--- Pizza Tracker Log Started: {datetime.now()} ---\n")

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
# SOAL 2: Implementasi Fungsi Permintaan API
# ==============================================================================
def request_order_status_from_api(order_id, current_thread_name):
    """Mengirim GET ke API status pesanan pizza dan mencatat hasilnya."""
    target_url = f"{BASE_API_URL}?order_id={order_id}"
    log_client_activity_safe(current_thread_name, f"Mengirim permintaan ke {target_url}")
    try:
        response = requests.get(target_url, timeout=5)
        if response.status_code == 200:
            data = response.json()
            log_client_activity_safe(
                current_thread_name,
                f"Berhasil! Pesanan {data.get('order_id', order_id)} untuk {data.get('customer', 'N/A')} status: {data.get('status', 'N/A')}")
        elif response.status_code == 404:
            data = response.json()
            log_client_activity_safe(
                current_thread_name,
                f"Error: ID Pesanan {order_id} tidak ditemukan. Pesan: {data.get('message', 'Not found')}")
        else:
            log_client_activity_safe(
                current_thread_name,
                f"Menerima status error dari API: {response.status_code} - {response.text[:100]}")
    except requests.exceptions.Timeout:
        log_client_activity_safe(
            current_thread_name,
            f"Timeout! Permintaan untuk ID Pesanan {order_id} tidak direspons dalam 5 detik.")
    except requests.exceptions.RequestException as e:
        log_client_activity_safe(current_thread_name, f"Error permintaan untuk ID Pesanan {order_id}: {e}")
    except Exception as e:
        log_client_activity_safe(
            current_thread_name, f"Terjadi kesalahan tak terduga untuk ID Pesanan {order_id}: {e}")
    log_client_activity_safe(current_thread_name, f"Permintaan untuk ID Pesanan {order_id} selesai diproses.")

def worker_thread_task(order_id, task_id):
    """Fungsi yang dijalankan oleh setiap worker thread."""
    thread_name = f"Worker-{task_id}"
    log_client_activity_safe(thread_name, f"Memulai pelacakan untuk ID Pesanan: {order_id}")
    request_order_status_from_api(order_id, thread_name)
    log_client_activity_safe(thread_name, f"Selesai pelacakan untuk ID Pesanan: {order_id}")

if __name__ == "__main__":
    log_client_activity_safe("MainClient", f"Memulai {NUM_REQUESTS} pelacakan pesanan pizza secara concurrent.")

    threads = []
    start_time = time.time()

    for i, order_id in enumerate(ORDERS_TO_TRACK):
        thread = threading.Thread(target=worker_thread_task, args=(order_id, i))
        threads.append(thread)
        thread.start()

    for thread in threads:
        thread.join()

    end_time = time.time()
    total_time = end_time - start_time

    log_client_activity_safe("MainClient", f"Semua pelacakan pesanan selesai dalam {total_time:.2f} detik.")
    print(f"\nLog aktivitas klien disimpan di: {CLIENT_LOG_FILE}")
    print(f"Total waktu eksekusi: {total_time:.2f} detik.")
