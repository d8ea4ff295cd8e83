FROM scratch
FORM scratch
