from flask import Blueprint

bp = Blueprint("signatures", __name__)
