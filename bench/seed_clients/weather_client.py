# The seed's Tema 1 client.py (Concurrent Weather Forecast Client), with Soal 1 and Soal 2 completed
# as the seed's steps say, in the same words serentak logs (src/themes/seed_themes.cpp): the seed's
# examples verbatim, and serentak's lines where the seed leaves the wording open (request sent,
# timeout, request error, unexpected error, step 4's "done"). The Python peer in
# bench/seed_clients_compare.sh. Run with /usr/bin/python3 (Debian's python3-requests).
#
# Two deviations from the seed, so it can target a server on any port and log anywhere:
#   SERENTAK_BASE  overrides the base URL   (default http://127.0.0.1:5000)
#   SERENTAK_LOG   overrides the log file   (default weather_client_log.txt)
# Console output stays the seed's two closing lines (the optional step 5 echo is left out).

import os
import requests
import threading
import time
from datetime import datetime

BASE_URL = os.environ.get("SERENTAK_BASE", "http://127.0.0.1:5000").rstrip("/")
BASE_API_URL = f"{BASE_URL}/get_weather"
CITIES_TO_FETCH = ["JAKARTA", "BANDUNG", "KUALA_LUMPUR", "SURABAYA", "DENPASAR"]
NUM_REQUESTS = len(CITIES_TO_FETCH)
CLIENT_LOG_FILE = os.environ.get("SERENTAK_LOG", "weather_client_log.txt")

client_log_lock = threading.Lock()

with open(CLIENT_LOG_FILE, "w", encoding="utf-8") as f:
    f.write(f"--- Weather Client Log Started: {datetime.now()} ---\n")

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
def request_weather_from_api(city, current_thread_name):
    """Mengirim GET ke API prakiraan cuaca dan mencatat hasilnya."""
    target_url = f"{BASE_API_URL}?city={city}"
    log_client_activity_safe(current_thread_name, f"Mengirim permintaan ke {target_url}")
    try:
        response = requests.get(target_url, timeout=5)
        if response.status_code == 200:
            data = response.json()
            log_client_activity_safe(
                current_thread_name,
                f"Berhasil! Cuaca di {data.get('city', city)}: {data.get('condition', 'N/A')}, {data.get('temp_c', 'N/A')}°C")
        elif response.status_code == 404:
            data = response.json()
            log_client_activity_safe(
                current_thread_name,
                f"Error: Kota {city} tidak ditemukan. Pesan: {data.get('message', 'Not found')}")
        else:
            log_client_activity_safe(
                current_thread_name,
                f"Menerima status error dari API: {response.status_code} - {response.text[:100]}")
    except requests.exceptions.Timeout:
        log_client_activity_safe(
            current_thread_name, f"Timeout! Permintaan untuk kota {city} tidak direspons dalam 5 detik.")
    except requests.exceptions.RequestException as e:
        log_client_activity_safe(current_thread_name, f"Error permintaan untuk kota {city}: {e}")
    except Exception as e:
        log_client_activity_safe(current_thread_name, f"Terjadi kesalahan tak terduga untuk kota {city}: {e}")
    log_client_activity_safe(current_thread_name, f"Permintaan untuk kota {city} selesai diproses.")

def worker_thread_task(city, task_id):
    """Fungsi yang dijalankan oleh setiap worker thread."""
    thread_name = f"Worker-{task_id}"
    log_client_activity_safe(thread_name, f"Memulai pekerjaan untuk kota: {city}")
    request_weather_from_api(city, thread_name)
    log_client_activity_safe(thread_name, f"Selesai pekerjaan untuk kota: {city}")

if __name__ == "__main__":
    log_client_activity_safe("MainClient", f"Memulai {NUM_REQUESTS} permintaan prakiraan cuaca secara concurrent.")

    threads = []
    start_time = time.time()

    for i, city_name in enumerate(CITIES_TO_FETCH):
        thread = threading.Thread(target=worker_thread_task, args=(city_name, i))
        threads.append(thread)
        thread.start()

    for thread in threads:
        thread.join()

    end_time = time.time()
    total_time = end_time - start_time

    log_client_activity_safe("MainClient", f"Semua permintaan cuaca selesai dalam {total_time:.2f} detik.")
    print(f"\nLog aktivitas klien disimpan di: {CLIENT_LOG_FILE}")
    print(f"Total waktu eksekusi: {total_time:.2f} detik.")
