"""The perceptual hash of a case photo (dHash, 64 bits): near-identical pictures — the same photo re-saved,
resized or slightly recompressed — get hashes a few bits apart, so a photo reused on another case is found by
the Hamming distance of the hashes (gridgov.integrity). Computed once at upload and stored on the photo.

dHash: the picture in grey, shrunk to 9 × 8 pixels; bit (row, col) is 1 where a pixel is brighter than its right
neighbour; the 64 bits row by row, most significant first, written as 16 hex digits. No Django here.
"""

from PIL import Image

SIZE = 8


def dhash(img: Image.Image) -> str:
    grey = img.convert("L").resize((SIZE + 1, SIZE), Image.Resampling.LANCZOS)
    px = grey.tobytes()  # one byte per pixel, row by row
    value = 0
    for row in range(SIZE):
        for col in range(SIZE):
            left, right = px[row * (SIZE + 1) + col], px[row * (SIZE + 1) + col + 1]
            value = (value << 1) | int(left > right)
    return f"{value:016x}"


def hamming(a: str, b: str) -> int:
    """The number of differing bits of two hashes (16 hex digits each)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
