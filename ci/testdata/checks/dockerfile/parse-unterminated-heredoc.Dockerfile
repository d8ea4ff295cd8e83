FROM scratch
RUN <<EOF
echo never ends
