"""Kode wilayah: Indonesia's provinces and Jawa Timur's 38 kabupaten and kota."""
