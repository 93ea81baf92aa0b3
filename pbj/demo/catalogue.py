"""Demo catalogue: categories and realistic products for the demo suppliers.

Products are made through the catalogue services (so the audit trail
verifies). Each supplier lists only what fits its business (SUPPLIER_RANGE), and
never the same name twice. Pictures are drawn in code (pbj.demo.pictures), one per
product line, and shared by that line's products so the demo stays small on disk.
"""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

import sqlalchemy as sa

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.catalogue import Category, Product, ProductStatus
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import catalogue, revisions
from pbj.services.uploads import StoredImage


class Line(NamedTuple):
    """One product line. `variants` are the sizes, colours or packings a supplier lists
    it in: each becomes its own product name; a variant may carry a price factor."""
    name: str
    unit: str
    low: int
    high: int
    evidence: str = "none"
    tkdn_range: tuple[int, int] | None = None
    certs: str = ""
    variants: tuple = ("",)
    kind: str | None = None  # a picture other than the sub-category's


class Sub(NamedTuple):
    kind: str  # the picture drawn for its products (pbj.demo.pictures.KINDS)
    lines: list[Line]


# top category → sub-categories (picture kind, product lines).
# Evidence of domestic content, as an inspector would expect it (issue 10):
#   "cert"   manufactured goods: most listings carry a TKDN certificate from the Ministry of
#            Industry (number and date); some by certified companies add BMP; resellers without
#            one are SIINas-registered or plain domestic.
#   "ik"     home and small industries (batik, songket, keramik, rotan, konveksi, mebel): a
#            TKDN-IK certificate (self-assessment, Permenperin 46/2022) for most, none for some.
#   "siinas" small manufacturers and print shops registered in SIINas, mostly, without TKDN.
#   "none"   food, farm produce, catering and services: no TKDN claimed.
#   "import" imported goods.
# Tax class of each sub-category's products (services.taxes): cleaning, laundry and pest
# control are services (PPh 23), snacks and catering restaurant food and drink (PBJT, no
# PPN); the rest goods (rice and packaged food included).
TAX_CLASS_BY_SUBCATEGORY = {"Kebersihan Gedung": "services", "Binatu": "services",
                            "Pengendalian Hama dan Taman": "services",
                            "Snack Box dan Kue": "pbjt", "Katering dan Nasi Kotak": "pbjt",
                            "Beras": "rice"}
# Basic staples exempt from PPN (PP 49/2022) among the groceries; cooking oil, flour, noodles
# and tea are not on that list and stay goods.
TAX_CLASS_BY_LINE = {"Gula Pasir Putih": "staple", "Telur Ayam Ras": "staple", "Garam Beryodium": "staple"}


def tax_class_of(subcategory: str, line_name: str) -> str:
    return TAX_CLASS_BY_LINE.get(line_name) or TAX_CLASS_BY_SUBCATEGORY.get(subcategory, "goods")
SIZES_PAPER = ("", "Isi 5 Rim", "Warna Putih Terang")
COLOURS_PEN = ("Hitam", "Biru", "Merah")
CATATAN = ("", "Ukuran Kecil", "Ukuran Besar")
CATALOGUE: dict[tuple[str, str], dict[str, Sub]] = {
    ("Alat Tulis Kantor", "alat-tulis-kantor"): {
        "Kertas dan Buku": Sub("ream", [
            Line("Kertas HVS A4 70 gsm", "rim", 45_000, 62_000, "cert", (30, 60), "SNI", SIZES_PAPER),
            Line("Kertas HVS F4 70 gsm", "rim", 48_000, 66_000, "cert", (30, 60), "SNI", SIZES_PAPER),
            Line("Kertas HVS A4 80 gsm", "rim", 52_000, 70_000, "cert", (30, 60), "SNI", SIZES_PAPER),
            Line("Kertas HVS F4 80 gsm", "rim", 55_000, 74_000, "cert", (30, 60), "SNI", SIZES_PAPER),
            Line("Kertas Foto Glossy A4", "pak", 35_000, 60_000, "import", None, "", ("", "Isi 50 Lembar")),
            Line("Buku Agenda Dinas Sampul Batik Tidayu", "buah", 25_000, 60_000, "ik", (40, 80), "",
                 ("", "Ukuran A5", "Ukuran B5"), kind="book"),
            Line("Buku Tulis Bergaris 58 Lembar", "pak", 30_000, 48_000, "cert", (40, 70), "SNI",
                 ("", "Isi 10 Buku"), kind="book"),
            Line("Buku Ekspedisi Surat", "buah", 12_000, 22_000, "siinas", None, "", CATATAN, kind="book"),
            Line("Buku Kas Umum Folio 100 Lembar", "buah", 25_000, 45_000, "siinas", None, "", ("",),
                 kind="book"),
            Line("Kertas Sticky Notes", "pak", 8_000, 18_000, "import", None, "", ("Kuning", "Warna-warni")),
        ]),
        "Alat Tulis": Sub("pen", [
            Line("Pulpen Gel 0,5 mm", "lusin", 24_000, 45_000, "cert", (20, 40), "SNI", COLOURS_PEN),
            Line("Pulpen Bolpoin Standar", "lusin", 18_000, 30_000, "cert", (20, 40), "SNI", COLOURS_PEN),
            Line("Pensil 2B Kayu", "lusin", 20_000, 36_000, "cert", (20, 45), "SNI"),
            Line("Spidol Papan Tulis", "lusin", 60_000, 95_000, "cert", (10, 30), "", COLOURS_PEN),
            Line("Spidol Permanen", "lusin", 55_000, 90_000, "cert", (10, 30), "", COLOURS_PEN),
            Line("Stabilo Warna Set", "set", 25_000, 45_000, "import", None, "", ("Isi 4", "Isi 6")),
            Line("Penghapus Pensil", "kotak", 18_000, 32_000, "siinas", None, ""),
            Line("Tip-Ex Cair", "lusin", 45_000, 75_000, "siinas", None, ""),
            Line("Penggaris Besi 30 cm", "lusin", 40_000, 70_000, "siinas", None, ""),
        ]),
        "Map dan Arsip": Sub("folder", [
            Line("Map Snelhecter Plastik", "lusin", 18_000, 30_000, "siinas", None, "",
                 ("Biru", "Merah", "Hijau", "Kuning")),
            Line("Map Kertas Folio", "pak", 25_000, 40_000, "siinas", None, "", ("Cokelat", "Biru", "Merah Muda")),
            Line("Ordner Folio 7 cm", "buah", 22_000, 38_000, "cert", (25, 45), "", ("Biru", "Hitam", "Merah")),
            Line("Box File Arsip Plastik", "buah", 25_000, 45_000, "cert", (25, 45), "", ("Biru", "Hitam")),
            Line("Amplop Kop Dinas Cokelat Folio", "pak", 35_000, 55_000, "siinas", None, "",
                 ("", "Ukuran Kuarto"), kind="envelope"),
            Line("Amplop Putih Panjang", "kotak", 28_000, 45_000, "siinas", None, "", ("", "Berperekat"),
                 kind="envelope"),
            Line("Map Plastik Kancing", "lusin", 24_000, 40_000, "siinas", None, "", ("Bening", "Biru")),
        ]),
        "Perlengkapan Meja": Sub("stapler", [
            Line("Stapler Besar HD-50", "buah", 45_000, 90_000, "import", None, ""),
            Line("Stapler Kecil No. 10", "buah", 15_000, 28_000, "import", None, ""),
            Line("Isi Staples No. 10", "kotak", 25_000, 40_000, "siinas", None, "", ("", "Isi 20 Pak")),
            Line("Pembolong Kertas", "buah", 30_000, 65_000, "import", None, "", ("Kecil", "Besar")),
            Line("Gunting Kantor", "buah", 12_000, 25_000, "siinas", None, "", ("", "Besar")),
            Line("Lakban Cokelat 2 Inci", "roll", 9_000, 16_000, "siinas", None, "", ("", "Isi 6 Roll")),
            Line("Selotip Bening 1 Inci", "roll", 4_000, 8_000, "siinas", None, ""),
            Line("Klip Kertas Binder", "kotak", 8_000, 20_000, "siinas", None, "", ("No. 105", "No. 155", "No. 260")),
            Line("Lem Kertas Cair", "lusin", 25_000, 45_000, "siinas", None, ""),
        ]),
    },
    ("Beras dan Bahan Pokok", "bahan-pokok"): {
        "Beras": Sub("sack", [
            Line("Beras Premium Lokal", "karung", 75_000, 95_000, "none", None, "",
                 ("5 kg", ("10 kg", 2), ("25 kg", 5))),
            Line("Beras Medium", "karung", 62_000, 80_000, "none", None, "", ("5 kg", ("10 kg", 2), ("25 kg", 5))),
            Line("Beras Wangi Pandan", "karung", 85_000, 110_000, "none", None, "", ("5 kg", ("10 kg", 2))),
            Line("Beras Merah Organik", "bungkus", 28_000, 40_000, "none", None, "", ("1 kg", ("2 kg", 2))),
            Line("Beras Ketan Putih", "bungkus", 20_000, 30_000, "none", None, "", ("1 kg", ("5 kg", 5))),
            Line("Beras SPHP Bulog", "karung", 58_000, 62_500, "none", None, "", ("5 kg",)),
        ]),
        "Minyak, Gula dan Telur": Sub("basket", [
            Line("Minyak Goreng Sawit", "botol", 17_000, 22_000, "cert", (85, 95), "SNI",
                 ("1 Liter", ("2 Liter", 2)), kind="bottle"),
            Line("Minyak Goreng Curah", "jeriken", 85_000, 105_000, "none", None, "", ("5 Liter",), kind="bottle"),
            Line("Gula Pasir Putih", "bungkus", 16_000, 19_000, "cert", (90, 98), "SNI", ("1 kg", ("5 kg", 5)),
                 kind="sack"),
            Line("Telur Ayam Ras", "papan", 48_000, 60_000, "none", None, "", ("Isi 30 Butir",)),
            Line("Tepung Terigu Serbaguna", "bungkus", 12_000, 16_000, "cert", (40, 60), "SNI",
                 ("1 kg", ("5 kg", 5)), kind="sack"),
            Line("Mi Instan Goreng", "dus", 105_000, 125_000, "cert", (60, 80), "SNI BPOM HALAL",
                 ("Isi 40 Bungkus",), kind="packet"),
            Line("Garam Beryodium", "pak", 18_000, 30_000, "none", None, "SNI", ("Isi 10 Bungkus",), kind="packet"),
            Line("Teh Celup Melati", "kotak", 7_000, 12_000, "none", None, "BPOM HALAL", ("Isi 25", "Isi 50"),
                 kind="packet"),
        ]),
        "Paket Sembako": Sub("gift", [
            Line("Paket Sembako Bantuan Bencana", "paket", 150_000, 250_000, "none", None, "",
                 ("", "Isi Lengkap")),
            Line("Paket Sembako Hari Raya", "paket", 200_000, 350_000, "none", None, "", ("", "Isi Lengkap")),
            Line("Paket Dapur Umum Isi 10 kg Beras", "paket", 250_000, 400_000, "none", None, "", ("",)),
        ]),
    },
    ("Makanan dan Minuman", "makanan-minuman"): {
        "Snack Box dan Kue": Sub("snackbox", [
            Line("Snack Box Rapat Isi 3 Kue Basah", "kotak", 12_000, 20_000, "none", None, "HALAL PIRT"),
            Line("Snack Box Rapat Isi 4 Kue", "kotak", 15_000, 25_000, "none", None, "HALAL PIRT"),
            Line("Snack Box Kue Kering dan Air Mineral", "kotak", 10_000, 18_000, "none", None, "HALAL PIRT"),
            Line("Kue Lapis Legit Singkawang", "loyang", 120_000, 250_000, "none", None, "HALAL PIRT",
                 ("", "Ukuran 20 x 20 cm"), kind="cake"),
            Line("Choi Pan Singkawang Isi Bengkuang", "kotak", 25_000, 45_000, "none", None, "HALAL PIRT",
                 ("Isi 10", "Isi 20")),
            Line("Bingke Ubi Khas Melayu", "loyang", 40_000, 75_000, "none", None, "HALAL PIRT", kind="cake"),
            Line("Kue Bolu Pandan", "loyang", 45_000, 80_000, "none", None, "HALAL PIRT", kind="cake"),
            Line("Kue Tart Ulang Tahun Instansi", "buah", 250_000, 600_000, "none", None, "HALAL PIRT",
                 ("Diameter 24 cm", "Diameter 30 cm"), kind="cake"),
        ]),
        "Katering dan Nasi Kotak": Sub("plate", [
            Line("Nasi Kotak Ayam Bakar", "kotak", 25_000, 45_000, "none", None, "HALAL"),
            Line("Nasi Kotak Ayam Goreng Lalapan", "kotak", 22_000, 40_000, "none", None, "HALAL"),
            Line("Nasi Kotak Ikan Asam Pedas", "kotak", 25_000, 45_000, "none", None, "HALAL"),
            Line("Nasi Kotak Rendang", "kotak", 30_000, 50_000, "none", None, "HALAL"),
            Line("Prasmanan Tamu Dinas per Orang", "orang", 55_000, 120_000, "none", None, "HALAL"),
            Line("Bubur Pedas Sambas Porsi", "porsi", 15_000, 25_000, "none", None, "HALAL"),
            Line("Nasi Tumpeng Peresmian", "tumpeng", 450_000, 1_200_000, "none", None, "HALAL",
                 ("Untuk 20 Orang", "Untuk 40 Orang")),
            Line("Makan Siang Peserta Pelatihan", "orang", 35_000, 60_000, "none", None, "HALAL"),
        ]),
        "Minuman dan Kopi": Sub("cup", [
            Line("Air Mineral Gelas 220 ml", "dus", 18_000, 28_000, "siinas", None, "SNI BPOM HALAL",
                 kind="bottle"),
            Line("Air Mineral Botol 600 ml", "dus", 40_000, 60_000, "siinas", None, "SNI BPOM HALAL",
                 kind="bottle"),
            Line("Air Minum Isi Ulang Galon 19 L", "galon", 5_000, 8_000, "none", None, "", kind="bottle"),
            Line("Kopi Bubuk Robusta Singkawang", "bungkus", 25_000, 45_000, "none", None, "PIRT HALAL",
                 ("250 g", ("500 g", 2))),
            Line("Kopi Susu Kaleng Siap Minum", "dus", 120_000, 180_000, "none", None, "BPOM HALAL"),
            Line("Teh Manis Kemasan Gelas", "dus", 30_000, 45_000, "siinas", None, "BPOM HALAL"),
            Line("Kopi dan Teh untuk Rapat", "paket", 80_000, 150_000, "none", None, "HALAL", ("Untuk 20 Orang",)),
        ]),
        "Makanan Khas Daerah": Sub("packet", [
            Line("Kerupuk Basah Khas Sambas", "bungkus", 25_000, 40_000, "none", None, "PIRT HALAL",
                 ("500 g", ("1 kg", 2))),
            Line("Kerupuk Ikan Tenggiri Mentah", "bungkus", 20_000, 35_000, "none", None, "PIRT HALAL",
                 ("250 g", ("500 g", 2))),
            Line("Lempok Durian", "bungkus", 35_000, 60_000, "none", None, "PIRT HALAL", ("250 g", ("500 g", 2))),
            Line("Amplang Ikan Tenggiri", "bungkus", 15_000, 25_000, "none", None, "PIRT HALAL",
                 ("200 g", ("400 g", 2))),
            Line("Kue Kering Khas Singkawang", "toples", 40_000, 75_000, "none", None, "PIRT HALAL"),
        ]),
    },
    ("Jasa Percetakan", "jasa-percetakan"): {
        "Spanduk dan Baliho": Sub("banner", [
            Line("Cetak Spanduk Flexi 280 gsm", "m²", 18_000, 35_000, "siinas", None, "", ("", "Finishing Mata Ayam")),
            Line("Cetak Baliho 4 x 6 m", "buah", 650_000, 1_200_000, "siinas", None, "", ("", "dengan Pemasangan")),
            Line("Roll Banner 60 x 160 cm", "buah", 150_000, 280_000, "siinas", None, ""),
            Line("X-Banner 60 x 160 cm", "buah", 90_000, 160_000, "siinas", None, ""),
            Line("Backdrop Acara 3 x 2 m", "buah", 350_000, 700_000, "siinas", None, ""),
            Line("Cetak Stiker Vinyl", "m²", 45_000, 85_000, "siinas", None, "", ("", "Laminasi Doff")),
        ]),
        "Undangan dan Brosur": Sub("envelope", [
            Line("Cetak Undangan Resmi Hard Cover", "lembar", 6_000, 15_000, "siinas", None, ""),
            Line("Cetak Undangan Kartu Satu Sisi", "lembar", 2_000, 5_000, "siinas", None, ""),
            Line("Cetak Brosur A4 Art Paper", "rim", 450_000, 900_000, "siinas", None, "", ("Satu Sisi", "Dua Sisi"),
                 kind="book"),
            Line("Cetak Leaflet Lipat Tiga", "rim", 500_000, 950_000, "siinas", None, "", kind="book"),
            Line("Cetak Kartu Nama", "kotak", 35_000, 75_000, "siinas", None, "", ("", "Laminasi")),
            Line("Cetak Sertifikat Kegiatan", "lembar", 3_000, 8_000, "siinas", None, "", ("", "Kertas Linen")),
            Line("Cetak Kop Surat Dinas", "rim", 250_000, 450_000, "siinas", None, "", kind="ream"),
        ]),
        "Buku dan Jilid": Sub("book", [
            Line("Cetak Buku Laporan Tahunan", "eksemplar", 45_000, 120_000, "siinas", None, ""),
            Line("Cetak Buku Panduan Kegiatan", "eksemplar", 15_000, 40_000, "siinas", None, ""),
            Line("Cetak Kalender Dinding Instansi", "buah", 25_000, 50_000, "siinas", None, ""),
            Line("Jilid Spiral Dokumen", "buah", 8_000, 15_000, "none", None, ""),
            Line("Jilid Hard Cover Laporan", "buah", 25_000, 50_000, "none", None, ""),
            Line("Fotokopi Dokumen A4", "lembar", 250, 500, "none", None, "", kind="ream"),
        ]),
        "Stempel dan Papan Nama": Sub("sign", [
            Line("Stempel Flash Dinas", "buah", 75_000, 150_000, "siinas", None, ""),
            Line("Papan Nama Meja Akrilik", "buah", 45_000, 90_000, "siinas", None, ""),
            Line("Papan Nama Kantor Stainless", "buah", 1_500_000, 3_500_000, "siinas", None, ""),
            Line("Name Tag Pegawai", "buah", 15_000, 30_000, "siinas", None, ""),
        ]),
    },
    ("Pakaian dan Seragam", "pakaian-seragam"): {
        "Seragam Dinas": Sub("shirt", [
            Line("Seragam PDH Khaki Pria", "stel", 250_000, 420_000, "ik", (40, 70), "", ("Ukuran S-XL", "Ukuran XXL")),
            Line("Seragam PDH Khaki Wanita", "stel", 250_000, 420_000, "ik", (40, 70), "",
                 ("Ukuran S-XL", "Ukuran XXL")),
            Line("Seragam Satpol PP Lengkap", "stel", 450_000, 750_000, "ik", (40, 70), ""),
            Line("Seragam Linmas", "stel", 250_000, 400_000, "ik", (40, 70), ""),
            Line("Rompi Lapangan BPBD", "buah", 150_000, 260_000, "ik", (40, 70), "", ("", "dengan Scotchlight")),
            Line("Jas Laboratorium Putih", "buah", 120_000, 200_000, "ik", (40, 70), ""),
            Line("Baju Kerja Lapangan", "stel", 180_000, 300_000, "ik", (40, 70), ""),
        ]),
        "Batik dan Songket": Sub("cloth", [
            Line("Kemeja Batik Tidayu Lengan Panjang", "buah", 180_000, 350_000, "ik", (60, 90), "",
                 ("Katun", "Katun Prima", "Sutra"), kind="shirt"),
            Line("Kemeja Batik Tidayu Lengan Pendek", "buah", 150_000, 300_000, "ik", (60, 90), "",
                 ("Katun", "Katun Prima"), kind="shirt"),
            Line("Blus Batik Tidayu Wanita", "buah", 170_000, 320_000, "ik", (60, 90), "", kind="shirt"),
            Line("Kain Batik Tidayu Cap", "lembar", 120_000, 250_000, "ik", (60, 90), ""),
            Line("Kain Batik Tidayu Tulis", "lembar", 450_000, 1_200_000, "ik", (60, 90), ""),
            Line("Kain Songket Tidayu Tenun Tangan", "lembar", 650_000, 2_500_000, "ik", (70, 95), "",
                 ("Benang Emas", "Benang Perak")),
            Line("Selendang Batik Motif Tidayu", "lembar", 120_000, 250_000, "ik", (60, 90), ""),
            Line("Selendang Songket Tidayu", "lembar", 250_000, 600_000, "ik", (70, 95), ""),
        ]),
        "Kaos dan Sablon": Sub("shirt", [
            Line("Kaos Kegiatan Sablon 2 Warna", "buah", 55_000, 95_000, "siinas", None, "",
                 ("Katun Combed 30s", "Katun Combed 24s")),
            Line("Kaos Polo Bordir Logo", "buah", 85_000, 140_000, "siinas", None, "", ("", "Lengan Panjang")),
            Line("Topi Kegiatan Bordir Logo", "buah", 35_000, 65_000, "siinas", None, ""),
            Line("Jaket Kegiatan Bordir Logo", "buah", 175_000, 300_000, "siinas", None, ""),
        ]),
        "Sepatu dan Atribut": Sub("shoe", [
            Line("Sepatu PDL Kulit", "pasang", 350_000, 650_000, "ik", (40, 70), "", ("", "Ukuran Besar")),
            Line("Sepatu PDH Pantofel", "pasang", 300_000, 550_000, "ik", (40, 70), ""),
            Line("Atribut Seragam Lengkap", "set", 75_000, 150_000, "siinas", None, "", kind="sign"),
            Line("Ikat Pinggang Dinas", "buah", 45_000, 90_000, "siinas", None, ""),
        ]),
    },
    ("Jasa Kebersihan dan Binatu", "jasa-kebersihan"): {
        "Kebersihan Gedung": Sub("broom", [
            Line("Jasa Kebersihan Kantor Bulanan", "bulan", 4_500_000, 9_000_000, "none", None, "",
                 ("2 Petugas", ("4 Petugas", 2))),
            Line("Jasa Cuci Karpet Ruang Rapat", "m²", 12_000, 25_000, "none", None, ""),
            Line("Jasa Pembersihan Kaca Gedung", "m²", 8_000, 15_000, "none", None, ""),
            Line("Jasa Kebersihan Pasca Acara", "kegiatan", 750_000, 1_500_000, "none", None, ""),
            Line("Jasa Kuras Toren dan Tandon Air", "unit", 250_000, 500_000, "none", None, ""),
        ]),
        "Binatu": Sub("washer", [
            Line("Jasa Laundry Linen Rumah Sakit", "kg", 9_000, 16_000, "none", None, ""),
            Line("Jasa Laundry Seragam Pegawai", "kg", 7_000, 12_000, "none", None, ""),
            Line("Jasa Cuci Gorden Kantor", "kg", 12_000, 20_000, "none", None, ""),
            Line("Jasa Laundry Kilat 1 Hari", "kg", 12_000, 18_000, "none", None, ""),
        ]),
        "Pengendalian Hama dan Taman": Sub("plant", [
            Line("Jasa Fogging Nyamuk", "kegiatan", 350_000, 750_000, "none", None, ""),
            Line("Jasa Pengendalian Rayap", "m²", 15_000, 30_000, "none", None, ""),
            Line("Jasa Perawatan Taman Kantor", "bulan", 1_500_000, 3_500_000, "none", None, ""),
        ]),
    },
    ("Perlengkapan Kebersihan dan Taman", "perlengkapan-kebersihan"): {
        "Sabun dan Cairan Pembersih": Sub("bottle", [
            Line("Cairan Pembersih Lantai", "jeriken", 60_000, 110_000, "cert", (40, 70), "", ("5 Liter",)),
            Line("Sabun Cuci Tangan Cair", "jeriken", 70_000, 120_000, "cert", (40, 70), "BPOM", ("5 Liter",)),
            Line("Cairan Pembersih Kaca", "jeriken", 55_000, 95_000, "cert", (40, 70), "", ("5 Liter",)),
            Line("Karbol Wangi", "jeriken", 50_000, 90_000, "cert", (40, 70), "", ("5 Liter",)),
            Line("Tisu Gulung", "pak", 35_000, 55_000, "cert", (50, 80), "SNI", ("Isi 10 Roll",), kind="packet"),
            Line("Tisu Wajah", "dus", 140_000, 220_000, "cert", (50, 80), "SNI", ("Isi 24 Pak",), kind="packet"),
        ]),
        "Alat Kebersihan": Sub("bucket", [
            Line("Alat Pel Lantai Putar", "set", 90_000, 180_000, "import", None, ""),
            Line("Sapu Ijuk", "buah", 25_000, 45_000, "ik", (60, 90), "", kind="broom"),
            Line("Sapu Lidi Bergagang", "buah", 15_000, 25_000, "ik", (70, 95), "", kind="broom"),
            Line("Tempat Sampah Tutup Injak", "buah", 75_000, 180_000, "siinas", None, "", ("25 Liter", "60 Liter")),
            Line("Kantong Sampah Hitam", "pak", 15_000, 30_000, "siinas", None, "", ("Ukuran 60 x 100", "Ukuran 90 x 120")),
            Line("Ember Plastik", "buah", 20_000, 45_000, "siinas", None, "", ("", "Besar")),
            Line("Kain Lap Microfiber", "lusin", 40_000, 75_000, "import", None, ""),
        ]),
        "Tanaman dan Pupuk": Sub("plant", [
            Line("Tanaman Hias Pot Kantor", "pot", 50_000, 250_000, "none", None, "", ("Sedang", "Besar")),
            Line("Bibit Pohon Peneduh", "batang", 25_000, 75_000, "none", None, ""),
            Line("Pupuk Kompos", "karung", 25_000, 40_000, "none", None, "", ("20 kg",), kind="sack"),
            Line("Pupuk NPK", "karung", 350_000, 500_000, "cert", (60, 85), "SNI", ("50 kg",), kind="sack"),
            Line("Pot Tanah Liat", "buah", 15_000, 60_000, "ik", (70, 95), "", ("Sedang", "Besar"), kind="jar"),
        ]),
    },
    ("Furnitur", "furnitur"): {
        "Meja dan Kursi": Sub("chair", [
            Line("Meja Kerja Kayu Belian 120 cm", "unit", 1_800_000, 3_500_000, "ik", (55, 85), "", kind="table"),
            Line("Meja Rapat Kayu 240 cm", "unit", 3_500_000, 7_000_000, "ik", (55, 85), "", kind="table"),
            Line("Meja Lipat Serbaguna", "unit", 450_000, 850_000, "cert", (30, 60), "", kind="table"),
            Line("Kursi Rapat Rotan", "unit", 450_000, 900_000, "ik", (60, 90), ""),
            Line("Kursi Kantor Putar", "unit", 650_000, 1_400_000, "cert", (15, 40), "SNI", ("", "Sandaran Tinggi")),
            Line("Kursi Lipat Besi", "unit", 150_000, 300_000, "cert", (30, 60), ""),
            Line("Kursi Tamu Kayu Set", "set", 3_500_000, 7_500_000, "ik", (55, 85), ""),
        ]),
        "Lemari dan Rak": Sub("cabinet", [
            Line("Lemari Arsip Kayu 4 Pintu", "unit", 2_500_000, 4_800_000, "cert", (40, 70), ""),
            Line("Lemari Pakaian Kayu 2 Pintu", "unit", 1_800_000, 3_500_000, "ik", (55, 85), ""),
            Line("Rak Buku Kayu 5 Susun", "unit", 900_000, 1_800_000, "cert", (40, 70), ""),
            Line("Filing Cabinet Besi 4 Laci", "unit", 2_200_000, 3_800_000, "cert", (30, 60), "SNI"),
            Line("Bufet Kayu Ruang Tamu", "unit", 1_500_000, 3_000_000, "ik", (55, 85), ""),
        ]),
        "Perabot Besi": Sub("cabinet", [
            Line("Rak Besi Siku 5 Susun", "unit", 450_000, 900_000, "ik", (50, 80), "", ("", "Tinggi 2 m")),
            Line("Kursi Tunggu Besi 3 Dudukan", "unit", 850_000, 1_600_000, "ik", (50, 80), "", kind="chair"),
            Line("Teralis Jendela Besi", "m²", 350_000, 650_000, "ik", (50, 80), "", kind="planks"),
            Line("Papan Informasi Besi Kaca", "unit", 900_000, 1_800_000, "ik", (50, 80), "", kind="sign"),
        ]),
    },
    ("Komputer dan Elektronik", "elektronik"): {
        "Komputer dan Laptop": Sub("laptop", [
            Line("Laptop Kantor Core i5 16 GB", "unit", 9_500_000, 14_000_000, "cert", (25, 45), "SNI",
                 ("SSD 512 GB", ("SSD 1 TB", 1.1))),
            Line("Laptop Kantor Core i3 8 GB", "unit", 6_500_000, 8_500_000, "cert", (25, 45), "SNI"),
            Line("Komputer Desktop All-in-One", "unit", 9_000_000, 13_000_000, "cert", (25, 45), "SNI"),
            Line("Tablet Android 10 Inci", "unit", 3_000_000, 5_000_000, "cert", (25, 45), "SNI"),
        ]),
        "Aksesori Komputer": Sub("mouse", [
            Line("Mouse Nirkabel", "buah", 90_000, 250_000, "import", None, ""),
            Line("Keyboard USB", "buah", 90_000, 200_000, "import", None, ""),
            Line("Flashdisk USB 3.0", "buah", 70_000, 150_000, "import", None, "", ("32 GB", ("64 GB", 1.6))),
            Line("Hard Disk Eksternal 1 TB", "buah", 850_000, 1_100_000, "import", None, ""),
            Line("UPS 1200 VA", "unit", 1_100_000, 1_700_000, "import", None, ""),
            Line("Kabel LAN Cat6", "roll", 850_000, 1_400_000, "import", None, "", ("305 m",)),
            Line("Router WiFi Kantor", "unit", 450_000, 1_200_000, "import", None, ""),
            Line("Webcam Rapat Daring", "buah", 350_000, 900_000, "import", None, ""),
        ]),
        "Printer dan Tinta": Sub("printer", [
            Line("Printer Tinta Warna A4", "unit", 2_200_000, 3_800_000, "import", None, "SNI"),
            Line("Printer Laser Hitam Putih", "unit", 2_000_000, 3_500_000, "import", None, "SNI"),
            Line("Scanner Dokumen A4", "unit", 1_800_000, 3_200_000, "import", None, ""),
            Line("Tinta Printer Isi Ulang 100 ml", "botol", 25_000, 45_000, "siinas", None, "",
                 ("Hitam", "Cyan", "Magenta", "Kuning"), kind="bottle"),
            Line("Toner Printer Laser", "buah", 450_000, 950_000, "import", None, ""),
        ]),
        "Alat Listrik": Sub("bulb", [
            Line("Lampu LED", "buah", 35_000, 75_000, "cert", (25, 45), "SNI", ("9 Watt", "12 Watt", "18 Watt")),
            Line("Kabel Roll 10 m", "buah", 85_000, 160_000, "cert", (20, 40), "SNI"),
            Line("Stop Kontak 4 Lubang", "buah", 35_000, 80_000, "cert", (20, 40), "SNI"),
            Line("Kipas Angin Berdiri", "unit", 250_000, 500_000, "cert", (25, 45), "SNI"),
            Line("Pengeras Suara Portabel", "unit", 1_200_000, 2_500_000, "import", None, ""),
            Line("Proyektor Ruang Rapat", "unit", 4_500_000, 8_000_000, "import", None, ""),
        ]),
    },
    ("Bahan Bangunan", "bahan-bangunan"): {
        "Semen dan Pasir": Sub("sack", [
            Line("Semen Portland 50 kg", "sak", 68_000, 85_000, "cert", (80, 95), "SNI"),
            Line("Semen Putih 40 kg", "sak", 110_000, 150_000, "cert", (70, 90), "SNI"),
            Line("Pasir Cor", "m³", 250_000, 400_000, "none", None, ""),
            Line("Pasir Pasang", "m³", 200_000, 320_000, "none", None, ""),
            Line("Batu Split", "m³", 350_000, 500_000, "none", None, "", ("1-2 cm", "2-3 cm")),
        ]),
        "Bata dan Batako": Sub("brick", [
            Line("Bata Merah Singkawang", "biji", 800, 1_300, "ik", (85, 98), "", ("", "Press Mesin")),
            Line("Batako Semen", "biji", 3_500, 5_500, "siinas", None, ""),
            Line("Bata Ringan Hebel", "m³", 750_000, 950_000, "cert", (60, 85), "SNI", ("Tebal 7,5 cm", "Tebal 10 cm")),
            Line("Paving Block", "m²", 75_000, 110_000, "siinas", None, "", ("Tebal 6 cm", "Tebal 8 cm")),
            Line("Genteng Metal Pasir", "lembar", 35_000, 55_000, "cert", (40, 70), "SNI"),
        ]),
        "Cat dan Perkakas": Sub("paint", [
            Line("Cat Tembok Interior", "pail", 650_000, 1_300_000, "cert", (40, 70), "SNI", ("25 kg", ("5 kg", 0.22))),
            Line("Cat Tembok Eksterior", "pail", 850_000, 1_600_000, "cert", (40, 70), "SNI", ("20 Liter",)),
            Line("Cat Kayu dan Besi", "kaleng", 65_000, 120_000, "cert", (40, 70), "SNI", ("1 kg",)),
            Line("Kuas Cat 3 Inci", "lusin", 60_000, 110_000, "siinas", None, ""),
            Line("Roll Cat Tembok 9 Inci", "buah", 30_000, 60_000, "siinas", None, ""),
            Line("Paku Kayu", "kg", 18_000, 28_000, "cert", (60, 85), "SNI", ("5 cm", "7 cm", "10 cm"), kind="planks"),
        ]),
        "Kayu dan Besi": Sub("planks", [
            Line("Papan Kayu Meranti", "lembar", 85_000, 150_000, "ik", (80, 95), "", ("2 x 20 x 400 cm",)),
            Line("Balok Kayu Belian", "batang", 250_000, 450_000, "ik", (80, 95), "", ("5 x 10 x 400 cm",)),
            Line("Besi Beton Polos", "batang", 55_000, 120_000, "cert", (50, 80), "SNI", ("8 mm", ("10 mm", 1.5), ("12 mm", 2.2))),
            Line("Multiplek 9 mm", "lembar", 150_000, 220_000, "cert", (60, 85), "SNI"),
            Line("Pipa PVC 4 m", "batang", 45_000, 160_000, "cert", (40, 70), "SNI", ("1/2 Inci", ("3 Inci", 2.5))),
        ]),
    },
    ("Kerajinan dan Suvenir", "kerajinan-suvenir"): {
        "Keramik": Sub("jar", [
            Line("Tempayan Keramik Naga Sakkok", "buah", 1_500_000, 6_000_000, "ik", (60, 90), "",
                 ("Sedang", ("Besar", 1.8))),
            Line("Vas Keramik Motif Naga", "buah", 150_000, 600_000, "ik", (60, 90), "", ("Kecil", ("Besar", 2))),
            Line("Mangkuk Keramik Singkawang", "buah", 8_000, 35_000, "ik", (60, 90), "", ("", "Set Isi 6")),
            Line("Guci Keramik Suvenir Mini", "buah", 25_000, 90_000, "ik", (60, 90), ""),
            Line("Piring Keramik Hias Dinding", "buah", 75_000, 250_000, "ik", (60, 90), ""),
            Line("Teko dan Cangkir Keramik Set", "set", 150_000, 450_000, "ik", (60, 90), "", kind="cup"),
            Line("Celengan Keramik Naga", "buah", 35_000, 90_000, "ik", (60, 90), ""),
        ]),
        "Anyaman dan Rotan": Sub("bag", [
            Line("Tas Anyaman Rotan Nyarumkop", "buah", 85_000, 250_000, "ik", (60, 90), "", ("Kecil", "Besar")),
            Line("Tikar Pandan Anyam", "lembar", 90_000, 220_000, "ik", (60, 90), "", kind="cloth"),
            Line("Keranjang Rotan Parsel", "buah", 45_000, 120_000, "ik", (60, 90), "", ("Sedang", "Besar"),
                 kind="basket"),
            Line("Tempat Tisu Rotan", "buah", 35_000, 75_000, "ik", (60, 90), ""),
            Line("Topi Anyaman Pandan", "buah", 40_000, 90_000, "ik", (60, 90), ""),
        ]),
        "Tenun Ikat Dayak": Sub("cloth", [
            Line("Kain Tenun Ikat Dayak", "lembar", 450_000, 1_800_000, "ik", (70, 95), "", ("Motif Naga", "Motif Burung Enggang")),
            Line("Selendang Tenun Ikat Dayak", "lembar", 150_000, 400_000, "ik", (70, 95), ""),
            Line("Tas Tenun Ikat", "buah", 120_000, 300_000, "ik", (60, 90), "", kind="bag"),
            Line("Taplak Meja Tenun", "lembar", 150_000, 350_000, "ik", (60, 90), ""),
        ]),
        "Suvenir Tamu": Sub("gift", [
            Line("Paket Suvenir Tamu Khas Singkawang", "paket", 150_000, 450_000, "none", None, "", ("", "Eksklusif")),
            Line("Gantungan Kunci Tidayu", "lusin", 36_000, 72_000, "siinas", None, ""),
            Line("Miniatur Tugu Naga Singkawang", "buah", 75_000, 200_000, "ik", (60, 90), ""),
            Line("Plakat Kayu Ukir Cendera Mata", "buah", 150_000, 400_000, "ik", (60, 90), "", kind="sign"),
            Line("Parsel Oleh-oleh Khas Singkawang", "paket", 200_000, 500_000, "none", None, "", kind="basket"),
        ]),
    },
}

# What each demo supplier sells (sub-categories): what fits its business, no more.
SUPPLIER_RANGE = {
    "Keramik Naga Sakkok": ["Keramik"],
    "Tempayan Naga Sedau": ["Keramik"],
    "Gerabah Tungku Naga": ["Keramik", "Tanaman dan Pupuk"],
    "Batik Tidayu Singkawang": ["Batik dan Songket"],
    "Songket Tidayu Lestari": ["Batik dan Songket"],
    "Konveksi Seragam Mandiri": ["Seragam Dinas", "Kaos dan Sablon", "Sepatu dan Atribut"],
    "Penjahit Bunga Raya": ["Seragam Dinas", "Batik dan Songket"],
    "Katering Bu Siti": ["Katering dan Nasi Kotak", "Snack Box dan Kue"],
    "Dapur Kue Ahua": ["Snack Box dan Kue"],
    "Snack Box Sinar Pagi": ["Snack Box dan Kue"],
    "Kopi Tiam Pasiran": ["Minuman dan Kopi", "Snack Box dan Kue"],
    "Rumah Makan Melayu Kuala": ["Katering dan Nasi Kotak"],
    "ATK Sumber Rejeki": ["Kertas dan Buku", "Alat Tulis", "Map dan Arsip", "Perlengkapan Meja"],
    "Toko Buku dan Alat Tulis Cahaya": ["Kertas dan Buku", "Alat Tulis", "Map dan Arsip"],
    "Percetakan Mulia Grafika": ["Undangan dan Brosur", "Buku dan Jilid"],
    "Digital Printing Nusantara Jaya": ["Spanduk dan Baliho", "Undangan dan Brosur"],
    "Sablon dan Spanduk Garuda": ["Spanduk dan Baliho", "Kaos dan Sablon"],
    "Mebel Jati Roban": ["Meja dan Kursi", "Lemari dan Rak"],
    "Furnitur Kayu Belian": ["Meja dan Kursi", "Lemari dan Rak"],
    "Bengkel Las Sinar Baru": ["Perabot Besi"],
    "Jasa Kebersihan Bersih Selalu": ["Kebersihan Gedung", "Pengendalian Hama dan Taman"],
    "Cleaning Service Harapan": ["Kebersihan Gedung", "Sabun dan Cairan Pembersih", "Alat Kebersihan"],
    "Elektronik Maju Bersama": ["Alat Listrik", "Printer dan Tinta"],
    "Komputer Singkawang Sentosa": ["Komputer dan Laptop", "Aksesori Komputer", "Printer dan Tinta"],
    "Toko Bangunan Sederhana": ["Semen dan Pasir", "Cat dan Perkakas", "Kayu dan Besi"],
    "Bahan Bangunan Sejahtera": ["Semen dan Pasir", "Bata dan Batako", "Kayu dan Besi"],
    "Kerajinan Rotan Nyarumkop": ["Anyaman dan Rotan"],
    "Souvenir Khas Singkawang": ["Suvenir Tamu", "Makanan Khas Daerah"],
    "Tenun Ikat Dayak Bengkayang": ["Tenun Ikat Dayak"],
    "Kerupuk Basah Sambas": ["Makanan Khas Daerah"],
    "Koperasi Serba Usaha Maju Bersama": ["Beras", "Minyak, Gula dan Telur", "Paket Sembako",
                                          "Sabun dan Cairan Pembersih"],
    "Koperasi Wanita Melati": ["Snack Box dan Kue", "Makanan Khas Daerah", "Paket Sembako"],
    "Air Minum Isi Ulang Segar": ["Minuman dan Kopi"],
    "Laundry Kilat Roban": ["Binatu"],
    "Percetakan Undangan Bintang": ["Undangan dan Brosur", "Stempel dan Papan Nama"],
    "Toko Pertanian Tani Makmur": ["Beras", "Tanaman dan Pupuk", "Alat Kebersihan"],
    "Penggilingan Padi Sedau Makmur": ["Beras"],
    "Toko Sembako Sinar Harapan": ["Beras", "Minyak, Gula dan Telur", "Paket Sembako", "Minuman dan Kopi"],
}
# For businesses not listed above (the benchmark's made-up names): by words in the name.
RANGE_BY_WORD = [
    (("keramik", "tempayan", "gerabah"), ["Keramik"]),
    (("rotan",), ["Anyaman dan Rotan"]),
    (("tenun",), ["Tenun Ikat Dayak"]),
    (("souvenir", "suvenir"), ["Suvenir Tamu"]),
    (("batik", "songket"), ["Batik dan Songket"]),
    (("konveksi", "penjahit"), ["Seragam Dinas", "Kaos dan Sablon"]),
    (("katering", "makan"), ["Katering dan Nasi Kotak"]),
    (("kue", "snack"), ["Snack Box dan Kue"]),
    (("kopi", "air minum"), ["Minuman dan Kopi"]),
    (("kerupuk",), ["Makanan Khas Daerah"]),
    (("beras", "padi", "sembako"), ["Beras", "Minyak, Gula dan Telur", "Paket Sembako"]),
    (("atk", "alat tulis"), ["Kertas dan Buku", "Alat Tulis", "Map dan Arsip", "Perlengkapan Meja"]),
    (("percetakan", "printing", "undangan"), ["Undangan dan Brosur", "Buku dan Jilid", "Spanduk dan Baliho"]),
    (("sablon", "spanduk"), ["Spanduk dan Baliho", "Kaos dan Sablon"]),
    (("mebel", "furnitur"), ["Meja dan Kursi", "Lemari dan Rak"]),
    (("las",), ["Perabot Besi"]),
    (("kebersihan", "cleaning"), ["Kebersihan Gedung", "Sabun dan Cairan Pembersih", "Alat Kebersihan"]),
    (("laundry",), ["Binatu"]),
    (("elektronik",), ["Alat Listrik", "Printer dan Tinta"]),
    (("komputer",), ["Komputer dan Laptop", "Aksesori Komputer", "Printer dan Tinta"]),
    (("bangunan",), ["Semen dan Pasir", "Bata dan Batako", "Cat dan Perkakas", "Kayu dan Besi"]),
    (("pertanian", "tani"), ["Beras", "Tanaman dan Pupuk"]),
    (("koperasi",), ["Beras", "Minyak, Gula dan Telur", "Snack Box dan Kue"]),
]


def supplier_range(business: str) -> list[str]:
    """The sub-categories a business sells: its own list, else by words in its name."""
    if business in SUPPLIER_RANGE:
        return SUPPLIER_RANGE[business]
    name = business.lower()
    found = [sub for words, subs in RANGE_BY_WORD if any(w in name for w in words) for sub in subs]
    return list(dict.fromkeys(found)) or ["Kertas dan Buku", "Alat Tulis", "Snack Box dan Kue"]


def line_products(line: Line) -> list[tuple[str, float]]:
    """Every product name a line is listed under, with its price factor."""
    out = []
    for variant in line.variants:
        suffix, factor = variant if isinstance(variant, tuple) else (variant, 1)
        out.append((f"{line.name} {suffix}".strip(), factor))
    return out


def picture_kind(sub_name: str, line: Line) -> str:
    return line.kind or SUBCATEGORIES[sub_name][1].kind


# sub-category name → (top slug, Sub): names are unique across the tree.
SUBCATEGORIES = {sub_name: (top_slug, sub) for (_top, top_slug), subs in CATALOGUE.items()
                 for sub_name, sub in subs.items()}



def seed_categories() -> dict[str, list[tuple[Category, Sub]]]:
    """Create the category tree; return {top slug: [(sub-category, its picture kind and lines)]}."""
    tree: dict[str, list[tuple[Category, Sub]]] = {}
    for (top_name, top_slug), subs in CATALOGUE.items():
        top = catalogue.create_category(None, top_name, slug=top_slug)
        tree[top_slug] = [(catalogue.create_category(None, sub_name, parent=top), sub)
                          for sub_name, sub in subs.items()]
    return tree


def _domestic_evidence(data: catalogue.ProductData, evidence: str, tkdn_range: tuple[int, int] | None,
                       rng: random.Random) -> None:
    """TKDN with its certificate (number and issue date), TKDN-IK, BMP and SIINas, as plausible
    for the product line. TKDN is never claimed without a certificate, BMP only with one."""
    roll = rng.random()
    certified = (evidence == "cert" and roll < 0.8) or (evidence == "ik" and roll < 0.75)
    if certified and tkdn_range:
        low, high = tkdn_range
        data.tkdn_x100 = rng.randint(low * 100, high * 100)
        # Issued before the product was first listed (the demo spreads listings over the past year).
        issued = city_today() - timedelta(days=rng.randint(400, 4 * 365))
        data.tkdn_certificate_date = issued
        if evidence == "ik":
            data.tkdn_ik = True
            data.tkdn_certificate = f"{rng.randint(100, 9999)}/TKDN-IK/{issued.year}"
        else:
            data.tkdn_certificate = f"{rng.randint(10000, 99999)}/SJ-IPKIP/TKDN/{issued.year}"
            if rng.random() < 0.3:  # a certified company with a BMP score of its own
                data.bmp_x100 = min(rng.choice([500, 800, 1000, 1200, 1500]), 10000 - data.tkdn_x100)
    if evidence in ("cert", "siinas") and not certified:
        data.siinas = rng.random() < (0.8 if evidence == "siinas" else 0.5)
        if data.siinas and rng.random() < 0.5:
            data.siinas_number = f"SIINAS-{rng.randint(1000000, 9999999)}"


def _offers(tree: dict[str, list[tuple[Category, Sub]]], business: str,
            rng: random.Random) -> list[tuple[Category, str, Line, str, float]]:
    """Everything a business could list, each name once, in a random order:
    (sub-category, top slug, line, product name, price factor)."""
    by_name = {cat.name: (cat, top_slug, sub) for top_slug, subs in tree.items() for cat, sub in subs}
    offers = [(cat, top_slug, line, name, factor)
              for sub_name in supplier_range(business) if sub_name in by_name
              for cat, top_slug, sub in [by_name[sub_name]]
              for line in sub.lines for name, factor in line_products(line)]
    rng.shuffle(offers)
    return offers


def seed_products(admin: User, rng: random.Random, count: int,
                  advance: Callable[[], None] = lambda: None) -> int:
    """About `count` products spread over the demo suppliers, each listing what fits its
    business and no name twice (fewer when the suppliers' ranges hold fewer); most published.
    `advance()` is called after each product (the CLI's progress bar)."""
    tree = seed_categories()
    suppliers = db.session.scalars(
        sa.select(SupplierProfile).join(SupplierProfile.org).order_by(SupplierProfile.org_id)
    ).all()
    owners = {s.org_id: db.session.scalar(sa.select(User).where(User.org_id == s.org_id)) for s in suppliers}
    offers = {s.org_id: _offers(tree, s.org.name, rng) for s in suppliers}
    # Bigger ranges (an ATK shop) list more than small ones (a laundry), in proportion.
    capacity = max(1, sum(len(o) for o in offers.values()))
    pictures: dict[str, StoredImage] = {}  # drawn for the lines that are listed, once each
    made = 0
    for supplier in suppliers:
        owner = owners[supplier.org_id]
        mine = offers[supplier.org_id]
        quota = min(len(mine), max(1, -(-count * len(mine) // capacity)))
        for n, (sub, top_slug, line, name, factor) in enumerate(mine[:quota]):
            unit = line.unit
            step = 500 if line.low >= 5_000 else 100
            low, high = int(line.low * factor) // step * step, int(line.high * factor) // step * step
            price = rng.randrange(low, high + 1, step)
            data = catalogue.ProductData(
                category_id=sub.id, name=name, unit=unit, unit_price=price,
                description=(f"{name} dari {supplier.org.name}, {supplier.kecamatan}, {supplier.region_name}. "
                             f"Dikemas rapi dan dikirim ke kantor OPD. Harga per {unit}."),
                min_order=rng.choice([1, 1, 1, 5, 10]),
                stock=None if rng.random() < 0.25 else rng.randint(0, 500),
                lead_time_days=rng.randint(1, 14),
                delivery_area="Kota Singkawang" if supplier.region_code == "61.72" else "Kalimantan Barat",
                is_pdn=line.evidence != "import",
                origin=supplier.region_name if line.evidence != "import" else "Impor",
                certifications=line.certs.split(),
                tax_class=tax_class_of(sub.name, line.name),
            )
            _domestic_evidence(data, line.evidence, line.tkdn_range, rng)
            actor = admin if n % 17 == 0 else owner  # a few listed on the supplier's behalf
            product = catalogue.create_product(actor, supplier, data)
            if line.name not in pictures:
                from pbj.demo.pictures import stored_picture

                pictures[line.name] = stored_picture(picture_kind(sub.name, line), top_slug, line.name)
            catalogue.attach_image(actor, product, pictures[line.name])
            made += 1
            advance()
            roll = rng.random()
            if roll < 0.05:
                continue  # left as draft
            catalogue.submit_product(actor, product)
            if roll < 0.10 or supplier.verification is not VerificationStatus.VERIFIED:
                continue  # waiting for review
            if roll < 0.13:
                catalogue.reject_product(admin, product, "Foto kurang jelas; unggah foto produk asli.")
                continue
            catalogue.approve_product(admin, product)
            # Spread publication over the past year so "terbaru" means something.
            product.published_at = product.published_at - timedelta(days=rng.randint(2, 365))
            if rng.random() < 0.04:
                catalogue.archive_product(owner, product)
        db.session.flush()
    return made


def published_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Product)
                             .where(Product.status == ProductStatus.PUBLISHED))


def _as_data(product: Product) -> catalogue.ProductData:
    """What the product form would show for this product today."""
    names = [f.name for f in dataclasses.fields(catalogue.ProductData)]
    values = {name: getattr(product, name) for name in names if name != "certifications"}
    return catalogue.ProductData(**values, certifications=product.certification_list)


def seed_revisions(admin: User, rng: random.Random) -> int:
    """A few suppliers change published products, so the review queue shows revisions
    beside new products: a new name and description, a price rise beyond the step, a
    TKDN certificate added; one earlier change was turned down with a reason."""
    published = db.session.scalars(
        sa.select(Product).join(Product.supplier)
        .where(Product.status == ProductStatus.PUBLISHED,
               SupplierProfile.verification == VerificationStatus.VERIFIED)
        .order_by(Product.id)).all()
    if len(published) < 4:
        return 0
    chosen = rng.sample(published, 4)
    owner = {p.id: db.session.scalar(sa.select(User).where(User.org_id == p.supplier_id).order_by(User.id))
             for p in chosen}
    renamed, dearer, certified, turned_down = chosen
    data = _as_data(renamed)
    data.name = f"{renamed.name} (kemasan baru)"
    data.description = renamed.description + " Kemasan baru mulai bulan ini."
    catalogue.update_product(owner[renamed.id], renamed, data)
    data = _as_data(dearer)
    data.unit_price = dearer.unit_price * 125 // 100 // 100 * 100  # +25 %, whole hundreds
    catalogue.update_product(owner[dearer.id], dearer, data)
    data = _as_data(certified)
    if certified.is_pdn and not certified.tkdn_certified:
        data.tkdn_x100, data.tkdn_certificate, data.tkdn_ik = 3150, f"IK-{certified.id:05d}/2026", True
        data.tkdn_certificate_date = city_today() - timedelta(days=30)
    else:
        data.origin = f"{certified.origin} (pabrik baru)".strip()
    catalogue.update_product(owner[certified.id], certified, data)
    data = _as_data(turned_down)
    data.name = f"{turned_down.name} Premium"
    result = catalogue.update_product(owner[turned_down.id], turned_down, data)
    revisions.reject_revision(admin, result.revision, "Nama baru tidak sesuai foto dan deskripsi produk.",
                              utcnow())
    db.session.info.pop("pbj_mail", None)  # demo data mails nobody (as pbj.demo.orders._commit)
    return 4
