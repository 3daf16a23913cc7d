"""The official documents laid out as PDFs (GB/T 9704-2012), Chinese fonts embedded."""
